using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Client;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.GarbageCollector;

/// <summary>One resource the API serves, as discovery describes it.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced, IReadOnlySet<string> Verbs)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public bool Can(params string[] verbs) => verbs.All(Verbs.Contains);

    /// <summary>A metadata-only descriptor for list/watch (the same path serves full objects; only metadata is read).</summary>
    public ResourceType<ObjectMetadata> MetadataType => new(Group, Version, Plural, Namespaced);

    public string CollectionPath(string? ns) => MetadataType.CollectionPath(ns);

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(Namespaced ? ns : null)}/{Uri.EscapeDataString(name)}";
}

/// <summary>
/// Discovery and the few generic writes the garbage collector and namespace controller make on resources of any
/// kind (upstream uses the discovery and metadata clients): raw requests over the official client's pipeline.
/// </summary>
public static class ApiResources
{
    /// <summary>Every top-level resource of the core group and of each group's preferred version.</summary>
    public static async Task<List<ApiResource>> DiscoverAsync(Kubernetes client, CancellationToken ct)
    {
        var result = new List<ApiResource>();
        result.AddRange(await ResourcesAsync(client, "api/v1", "", "v1", ct));
        using var groups = JsonDocument.Parse(await SendAsync(client, HttpMethod.Get, "apis", null, null, ct));
        if (!groups.RootElement.TryGetProperty("groups", out var list))
        {
            return result;
        }
        foreach (var g in list.EnumerateArray())
        {
            var name = g.GetProperty("name").GetString() ?? "";
            var gv = g.TryGetProperty("preferredVersion", out var p) ? p.GetProperty("groupVersion").GetString() : null;
            gv ??= g.GetProperty("versions")[0].GetProperty("groupVersion").GetString();
            if (gv == null)
            {
                continue;
            }
            result.AddRange(await ResourcesAsync(client, "apis/" + gv, name, gv[(gv.IndexOf('/') + 1)..], ct));
        }
        return result;
    }

    private static async Task<List<ApiResource>> ResourcesAsync(Kubernetes client, string path, string group, string version, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await SendAsync(client, HttpMethod.Get, path, null, null, ct));
        var result = new List<ApiResource>();
        if (!doc.RootElement.TryGetProperty("resources", out var resources))
        {
            return result;
        }
        foreach (var r in resources.EnumerateArray())
        {
            var plural = r.GetProperty("name").GetString() ?? "";
            if (plural.Contains('/'))
            {
                continue; // a subresource
            }
            var verbs = r.TryGetProperty("verbs", out var v) ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToHashSet() : [];
            result.Add(new ApiResource(group, version, plural, r.GetProperty("kind").GetString() ?? "", r.TryGetProperty("namespaced", out var n) && n.GetBoolean(), verbs));
        }
        return result;
    }

    /// <summary>The object's metadata, or null when it does not exist.</summary>
    public static async Task<V1ObjectMeta?> GetMetadataAsync(Kubernetes client, ApiResource resource, string? ns, string name, CancellationToken ct)
    {
        try
        {
            var body = await SendAsync(client, HttpMethod.Get, resource.ObjectPath(ns, name), null, null, ct);
            return KubernetesJson.Deserialize<ObjectMetadata>(body).Metadata;
        }
        catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes one object, only if it still has <paramref name="uid"/>; a missing object is not an error.</summary>
    public static async Task DeleteAsync(Kubernetes client, ApiResource resource, string? ns, string name, string uid, string policy, CancellationToken ct)
    {
        var options = new V1DeleteOptions { PropagationPolicy = policy, Preconditions = new V1Preconditions { Uid = uid } };
        try
        {
            await SendAsync(client, HttpMethod.Delete, resource.ObjectPath(ns, name), KubernetesJson.Serialize(options), "application/json", ct);
        }
        catch (ApiStatusException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>A JSON merge patch of one object's metadata.</summary>
    public static async Task PatchMetadataAsync(Kubernetes client, ApiResource resource, string? ns, string name, JsonObject metadata, CancellationToken ct)
    {
        var body = new JsonObject { ["metadata"] = metadata }.ToJsonString();
        try
        {
            await SendAsync(client, HttpMethod.Patch, resource.ObjectPath(ns, name), body, "application/merge-patch+json", ct);
        }
        catch (ApiStatusException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>One request; a failure throws <see cref="ApiStatusException"/>.</summary>
    public static async Task<string> SendAsync(Kubernetes client, HttpMethod method, string path, string? body, string? contentType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(client.BaseUri, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body != null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }
        if (client.Credentials != null)
        {
            await client.Credentials.ProcessHttpRequestAsync(request, ct).ConfigureAwait(false);
        }
        using var response = await client.HttpClient.SendAsync(request, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return text;
        }
        V1Status? status = null;
        try
        {
            status = KubernetesJson.Deserialize<V1Status>(text);
        }
        catch (JsonException)
        {
            // Not a Status body.
        }
        throw new ApiStatusException(response.StatusCode, status, $"{method} {path}: {(int)response.StatusCode} {status?.Message ?? text}");
    }
}
