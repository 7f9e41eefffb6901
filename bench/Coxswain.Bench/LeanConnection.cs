using System.Buffers.Text;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Coxswain.Bench;

/// <summary>
/// One HTTP/1.1 keep-alive connection over TLS, written for the load driver: the driver shares the
/// machine's two cores with the server, and HttpClient spends about as much CPU per request as the
/// server does, so with it the benchmark measures the driver. This client formats a request into one
/// buffer, writes it, and parses only the status line and the body length of the answer.
/// </summary>
internal sealed class LeanConnection : IRequester
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly byte[] _commonHeaders;
    private byte[] _request = new byte[16 * 1024];
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private LeanConnection(TcpClient tcp, SslStream ssl, byte[] commonHeaders)
    {
        _tcp = tcp;
        _ssl = ssl;
        _commonHeaders = commonHeaders;
    }

    public static async Task<LeanConnection> OpenAsync(Uri server, string token, RemoteCertificateValidationCallback validate)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, validate);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        var headers = Encoding.ASCII.GetBytes($"Host: {server.Authority}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n");
        return new LeanConnection(tcp, ssl, headers);
    }

    /// <summary>Sends one request; the body returned is valid until the next call.</summary>
    public async Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(string method, string pathAndQuery, byte[]? body = null)
    {
        var length = FormatRequest(method, pathAndQuery, body);
        await _ssl.WriteAsync(_request.AsMemory(0, length));
        return await ReadResponseAsync();
    }

    private int FormatRequest(string method, string pathAndQuery, byte[]? body)
    {
        var needed = method.Length + pathAndQuery.Length + _commonHeaders.Length + 128 + (body?.Length ?? 0);
        if (_request.Length < needed)
        {
            _request = new byte[needed * 2];
        }
        var at = Encoding.ASCII.GetBytes($"{method} {pathAndQuery} HTTP/1.1\r\n", _request);
        _commonHeaders.CopyTo(_request, at);
        at += _commonHeaders.Length;
        if (body != null)
        {
            at += Encoding.ASCII.GetBytes($"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n", _request.AsSpan(at));
        }
        _request[at++] = (byte)'\r';
        _request[at++] = (byte)'\n';
        if (body != null)
        {
            body.CopyTo(_request, at);
            at += body.Length;
        }
        return at;
    }

    private async Task<(int, ReadOnlyMemory<byte>)> ReadResponseAsync()
    {
        int headerLength;
        while ((headerLength = _buffer.AsSpan(_start, _end - _start).IndexOf(HeaderEnd)) < 0)
        {
            await FillAsync();
        }
        var headers = _buffer.AsSpan(_start, headerLength);
        if (headers.Length < 12 || !Utf8Parser.TryParse(headers.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("malformed status line: " + Encoding.ASCII.GetString(headers[..Math.Min(headers.Length, 40)]));
        }
        var contentLength = HeaderValue(headers, "content-length");
        var chunked = HeaderValue(headers, "transfer-encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        _start += headerLength + HeaderEnd.Length;
        if (chunked)
        {
            return (status, await ReadChunkedAsync());
        }
        if (contentLength == null || !int.TryParse(contentLength, out var bodyLength))
        {
            throw new InvalidDataException("answer has neither Content-Length nor chunked encoding");
        }
        while (_end - _start < bodyLength)
        {
            await FillAsync();
        }
        var result = _buffer.AsMemory(_start, bodyLength);
        _start += bodyLength;
        return (status, result);
    }

    private async Task<ReadOnlyMemory<byte>> ReadChunkedAsync()
    {
        var body = new MemoryStream();
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                await FillAsync();
            }
            var sizeText = Encoding.ASCII.GetString(_buffer, _start, lineEnd).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            _start += lineEnd + 2;
            while (_end - _start < size + 2)
            {
                await FillAsync();
            }
            body.Write(_buffer, _start, size);
            _start += size + 2;
            if (size == 0)
            {
                return body.ToArray();
            }
        }
    }

    private static string? HeaderValue(ReadOnlySpan<byte> headers, string name)
    {
        foreach (var line in Encoding.ASCII.GetString(headers).Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }

    /// <summary>Reads more bytes, first moving what is left to the front (or growing the buffer).</summary>
    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = await _ssl.ReadAsync(_buffer.AsMemory(_end));
        if (read == 0)
        {
            throw new IOException("server closed the connection");
        }
        _end += read;
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
