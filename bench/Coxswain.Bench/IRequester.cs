using System.Net.Http.Headers;

namespace Coxswain.Bench;

/// <summary>What a benchmark client sends requests through.</summary>
internal interface IRequester : IAsyncDisposable
{
    /// <summary>Sends one request; the body returned is valid until the next call.</summary>
    Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(string method, string pathAndQuery, byte[]? body = null);
}

/// <summary>A client on a shared HttpClient speaking HTTP/2, as client-go does: many streams share a few connections.</summary>
internal sealed class Http2Requester(HttpClient http) : IRequester
{
    public async Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(string method, string pathAndQuery, byte[]? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), pathAndQuery);
        if (body != null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return ((int)response.StatusCode, bytes);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
