using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Coxswain.Client.ListWatch;

/// <summary>
/// Lists and watches one resource type over the official client's HTTP pipeline (its HttpClient, TLS and
/// credentials). Written against raw paths rather than the per-kind generated methods so that one generic class
/// covers every type, and so that a watch's 410 and ERROR events surface as <see cref="ApiStatusException"/>
/// instead of being swallowed.
/// </summary>
public sealed class ListWatcher<T> : IListWatch<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Kubernetes _client;

    /// <param name="client">The official client (see <see cref="ClientFactory"/>).</param>
    /// <param name="type">Where the resource lives.</param>
    /// <param name="namespace">One namespace, or null for all namespaces (and for cluster-scoped types).</param>
    /// <param name="labelSelector">Optional label selector applied by the server.</param>
    /// <param name="fieldSelector">Optional field selector applied by the server (e.g. <c>spec.nodeName=n1</c>).</param>
    public ListWatcher(Kubernetes client, ResourceType<T> type, string? @namespace = null, string? labelSelector = null, string? fieldSelector = null)
    {
        _client = client;
        Type = type;
        Namespace = @namespace;
        LabelSelector = labelSelector;
        FieldSelector = fieldSelector;
    }

    public ResourceType<T> Type { get; }
    public string? Namespace { get; }
    public string? LabelSelector { get; }
    public string? FieldSelector { get; }

    /// <summary>A consistent list (no resourceVersion: read the latest), with the list's resourceVersion.</summary>
    public async Task<ListResult<T>> ListAsync(CancellationToken ct)
    {
        using var response = await SendAsync(Query(watch: false, resourceVersion: null, timeoutSeconds: null), ct).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        var root = doc.RootElement;
        var rv = root.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var r) ? r.GetString() ?? "" : "";
        var items = new List<T>();
        if (root.TryGetProperty("items", out var arr) && arr.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in arr.EnumerateArray())
            {
                items.Add(KubernetesJson.Deserialize<T>(item.GetRawText()));
            }
        }
        return new ListResult<T>(items, rv);
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks. The sequence ends when the server closes the
    /// stream (timeout); it throws <see cref="ApiStatusException"/> with <see cref="ApiStatusException.IsGone"/> when
    /// the version was compacted (HTTP 410 or an ERROR event with code 410), and IO errors when the connection drops.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(Query(watch: true, resourceVersion, timeoutSeconds), ct).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (true)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line == null)
            {
                yield break;
            }
            if (line.Length == 0)
            {
                continue;
            }
            yield return Parse(line);
        }
    }

    private static WatchEvent<T> Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var typeName = root.GetProperty("type").GetString();
        var obj = root.GetProperty("object");
        switch (typeName)
        {
            case "ERROR":
                var status = KubernetesJson.Deserialize<V1Status>(obj.GetRawText());
                throw new ApiStatusException((HttpStatusCode)(status.Code ?? 500), status, $"watch error: {status.Reason}: {status.Message}");
            case "BOOKMARK":
                var rv = obj.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var r) ? r.GetString() ?? "" : "";
                return new WatchEvent<T>(WatchEventType.Bookmark, null, rv);
            default:
                var type = typeName switch
                {
                    "ADDED" => WatchEventType.Added,
                    "MODIFIED" => WatchEventType.Modified,
                    "DELETED" => WatchEventType.Deleted,
                    _ => throw new InvalidDataException($"unknown watch event type {typeName}"),
                };
                var item = KubernetesJson.Deserialize<T>(obj.GetRawText());
                return new WatchEvent<T>(type, item, item.Metadata?.ResourceVersion ?? "");
        }
    }

    private string Query(bool watch, string? resourceVersion, int? timeoutSeconds)
    {
        var q = new List<string>();
        if (watch)
        {
            q.Add("watch=true");
            q.Add("allowWatchBookmarks=true");
        }
        if (!string.IsNullOrEmpty(resourceVersion))
        {
            q.Add("resourceVersion=" + Uri.EscapeDataString(resourceVersion));
        }
        if (timeoutSeconds != null)
        {
            q.Add("timeoutSeconds=" + timeoutSeconds.Value);
        }
        if (!string.IsNullOrEmpty(LabelSelector))
        {
            q.Add("labelSelector=" + Uri.EscapeDataString(LabelSelector));
        }
        if (!string.IsNullOrEmpty(FieldSelector))
        {
            q.Add("fieldSelector=" + Uri.EscapeDataString(FieldSelector));
        }
        var path = Type.CollectionPath(Namespace);
        return q.Count == 0 ? path : path + "?" + string.Join('&', q);
    }

    private async Task<HttpResponseMessage> SendAsync(string relative, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_client.BaseUri, relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_client.Credentials != null)
        {
            await _client.Credentials.ProcessHttpRequestAsync(request, ct).ConfigureAwait(false);
        }
        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            V1Status? status = null;
            try
            {
                status = KubernetesJson.Deserialize<V1Status>(body);
            }
            catch (JsonException)
            {
                // Not a Status body: keep the raw text in the message.
            }
            throw new ApiStatusException(response.StatusCode, status, $"GET {relative}: {(int)response.StatusCode} {status?.Message ?? body}");
        }
    }
}
