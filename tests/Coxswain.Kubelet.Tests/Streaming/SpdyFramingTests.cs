using System.IO.Pipelines;
using System.Text;
using Coxswain.Kubelet.Streaming.Spdy;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace Coxswain.Kubelet.Tests.Streaming;

public sealed class SpdyFramingTests
{
    /// <summary>Two connected duplex streams, as a socket pair would give.</summary>
    private static (Stream A, Stream B) Pair()
    {
        var ab = new Pipe();
        var ba = new Pipe();
        return (new DuplexStream(ba.Reader.AsStream(), ab.Writer.AsStream()), new DuplexStream(ab.Reader.AsStream(), ba.Writer.AsStream()));
    }

    [Fact]
    public void DictionaryIsTheSpdy3One()
    {
        Assert.Equal(1423, SpdyDictionary.Bytes.Length);
        Assert.Equal(0xe3c6a7c2u, SpdyHeaderWriter.Adler32(SpdyDictionary.Bytes));
        Assert.Equal("enq=0.", Encoding.ASCII.GetString(SpdyDictionary.Bytes[^6..]));
    }

    [Fact]
    public void HeaderBlocksRoundTripAcrossSeveralFramesOfOneZlibStream()
    {
        var writer = new SpdyHeaderWriter();
        var reader = new SpdyHeaderReader();
        for (var i = 0; i < 3; i++)
        {
            var headers = new List<KeyValuePair<string, string>> { new("streamType", "stdout"), new("port", $"80{i}") };
            var decoded = reader.Decode(writer.Encode(headers));
            Assert.Equal([new("streamtype", "stdout"), new("port", $"80{i}")], decoded);
        }
    }

    [Fact]
    public void EachHeaderBlockEndsWithASyncFlushMarker()
    {
        // Go's inflater (spdystream, in containerd and kubectl) needs it to release a block's data.
        var block = new SpdyHeaderWriter().Encode([new("streamtype", "error")]);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0xff, 0xff }, block[^5..]);
    }

    [Fact]
    public void ReadsHeaderBlocksCompressedWithTheDictionaryAsGoDoes()
    {
        // A real compressor (as containerd's Go zlib writer): one stream, dictionary, a flush per block.
        var deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        deflater.SetDictionary(SpdyDictionary.Bytes);
        var reader = new SpdyHeaderReader();
        foreach (var value in new[] { "error", "stdout", "stdout" })
        {
            var plain = SpdyHeaderWriter.Serialize([new("streamtype", value), new("content-type", "text/plain")]);
            deflater.SetInput(plain);
            deflater.Flush();
            var output = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = deflater.Deflate(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
            }
            var headers = reader.Decode(output.ToArray());
            Assert.Equal([new("streamtype", value), new("content-type", "text/plain")], headers);
        }
    }

    [Fact]
    public async Task FramesRoundTrip()
    {
        var (a, b) = Pair();
        await using var client = new SpdyConnection(a, isClient: true);
        await using var server = new SpdyConnection(b, isClient: false);
        await client.WriteFrameAsync(SpdyFrame.SynStream(1, [new("streamtype", "stdin")]), default);
        await client.WriteFrameAsync(SpdyFrame.DataFrame(1, Encoding.UTF8.GetBytes("hi"), fin: false), default);
        await client.WriteFrameAsync(SpdyFrame.DataFrame(1, ReadOnlyMemory<byte>.Empty, fin: true), default);
        await client.WriteFrameAsync(SpdyFrame.Reset(3, SpdyRstStatus.Cancel), default);
        await client.WriteFrameAsync(new SpdyFrame(SpdyFrameType.GoAway, 0, 0) { Value = 0 }, default);

        var syn = await server.ReadFrameAsync(default);
        Assert.Equal(SpdyFrameType.SynStream, syn!.Type);
        Assert.Equal(1, syn.StreamId);
        Assert.Equal("stdin", syn.Header("streamType"));
        var data = await server.ReadFrameAsync(default);
        Assert.Equal((SpdyFrameType.Data, 1, false, "hi"), (data!.Type, data.StreamId, data.Fin, Encoding.UTF8.GetString(data.Data.Span)));
        var fin = await server.ReadFrameAsync(default);
        Assert.True(fin!.Fin);
        Assert.Equal(0, fin.Data.Length);
        var rst = await server.ReadFrameAsync(default);
        Assert.Equal((SpdyFrameType.RstStream, 3, SpdyRstStatus.Cancel), (rst!.Type, rst.StreamId, rst.Value));
        var goAway = await server.ReadFrameAsync(default);
        Assert.Equal(SpdyFrameType.GoAway, goAway!.Type);
    }

    [Fact]
    public async Task PingIsAnsweredAndEndOfConnectionIsNull()
    {
        var (a, b) = Pair();
        await using var client = new SpdyConnection(a, isClient: true);
        var server = new SpdyConnection(b, isClient: false);
        await client.WriteFrameAsync(new SpdyFrame(SpdyFrameType.Ping, 0, 0) { Value = 7 }, default);
        await client.WriteFrameAsync(SpdyFrame.SynReply(1, [new("a", "b")], fin: true), default);
        var reply = await server.ReadFrameAsync(default);
        Assert.Equal(SpdyFrameType.SynReply, reply!.Type);
        Assert.True(reply.Fin);
        var pong = await client.ReadFrameAsync(default);
        Assert.Equal((SpdyFrameType.Ping, 7), (pong!.Type, pong.Value));
        await server.DisposeAsync();
        Assert.Null(await client.ReadFrameAsync(default));
    }

    private sealed class DuplexStream(Stream read, Stream write) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => write.Flush();
        public override Task FlushAsync(CancellationToken ct) => write.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => read.ReadAsync(buffer, ct);
        public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => write.WriteAsync(buffer, ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                read.Dispose();
                write.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
