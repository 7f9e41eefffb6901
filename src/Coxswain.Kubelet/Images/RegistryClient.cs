using System.Net;
using System.Net.Http.Headers;

namespace Coxswain.Kubelet.Images;

/// <summary>A manifest as a registry serves it: bytes, media type and digest (Docker-Content-Digest).</summary>
public sealed record RegistryManifest(string MediaType, byte[] Bytes, string Digest);

/// <summary>
/// Docker Registry HTTP API V2 over plain HTTP, just enough to seed images and read them back: ping, blob
/// HEAD/GET, monolithic blob upload (POST then PUT with the digest), manifest PUT/GET. No auth.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="registry">host:port of the registry, e.g. 127.0.0.1:5000.</param>
    public RegistryClient(string registry, TimeSpan? timeout = null)
    {
        Registry = registry;
        _http = new HttpClient { BaseAddress = new Uri($"http://{registry}/"), Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    public string Registry { get; }

    /// <summary>True when GET /v2/ answers 200 (the registry is up and needs no auth).</summary>
    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            using var response = await _http.GetAsync("v2/", ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}");
        using var response = await _http.SendAsync(request, ct);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await FailureAsync(response, $"HEAD blob {digest}", ct),
        };
    }

    public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync($"v2/{repository}/blobs/{digest}", ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, $"GET blob {digest}", ct);
        }
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        return OciBlob.DigestOf(bytes) == digest ? bytes : throw new RegistryException($"blob {digest} from {Registry} does not match its digest");
    }

    /// <summary>Uploads a blob in one request (POST opens the upload, PUT with ?digest= completes it).</summary>
    public async Task PushBlobAsync(string repository, OciBlob blob, CancellationToken ct = default)
    {
        using var start = await _http.PostAsync($"v2/{repository}/blobs/uploads/", content: null, ct);
        if (start.StatusCode != HttpStatusCode.Accepted || start.Headers.Location is not { } location)
        {
            throw await FailureAsync(start, $"start upload of {blob.Digest}", ct);
        }
        var upload = location.IsAbsoluteUri ? location : new Uri(_http.BaseAddress!, location);
        var separator = upload.Query.Length > 0 ? "&" : "?";
        using var content = new ByteArrayContent(blob.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var finish = await _http.PutAsync(new Uri(upload + separator + "digest=" + Uri.EscapeDataString(blob.Digest)), content, ct);
        if (finish.StatusCode != HttpStatusCode.Created)
        {
            throw await FailureAsync(finish, $"upload {blob.Digest}", ct);
        }
    }

    /// <summary>Stores a manifest under a tag (or its digest); returns the digest the registry computed.</summary>
    public async Task<string> PutManifestAsync(string repository, string reference, OciBlob manifest, CancellationToken ct = default)
    {
        using var content = new ByteArrayContent(manifest.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        using var response = await _http.PutAsync($"v2/{repository}/manifests/{reference}", content, ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await FailureAsync(response, $"PUT manifest {repository}:{reference}", ct);
        }
        return response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.First() : manifest.Digest;
    }

    /// <summary>The manifest a tag or digest names, or null when the registry does not have it.</summary>
    public async Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
        foreach (var type in OciMediaTypes.AcceptedManifests)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        using var response = await _http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, $"GET manifest {repository}:{reference}", ct);
        }
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? OciMediaTypes.Manifest;
        return new RegistryManifest(mediaType, bytes, OciBlob.DigestOf(bytes));
    }

    /// <summary>Pushes an image's blobs (those missing) and then its manifest under <paramref name="tag"/>.</summary>
    public async Task PushImageAsync(string repository, string tag, OciImage image, CancellationToken ct = default)
    {
        foreach (var blob in new[] { image.Layer, image.Config })
        {
            if (!await BlobExistsAsync(repository, blob.Digest, ct))
            {
                await PushBlobAsync(repository, blob, ct);
            }
        }
        await PutManifestAsync(repository, tag, image.Manifest, ct);
    }

    private async Task<RegistryException> FailureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var body = response.Content == null ? "" : await response.Content.ReadAsStringAsync(ct);
        return new RegistryException($"registry {Registry}: {what} failed: {(int)response.StatusCode} {response.ReasonPhrase} {body}".TrimEnd());
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A registry answered something the V2 API does not allow at that step.</summary>
public sealed class RegistryException(string message) : Exception(message);
