using System.Text;
using Coxswain.Kubelet.Streaming.Logs;

namespace Coxswain.Kubelet.Tests.Streaming;

public sealed class ContainerLogStreamerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cox-logs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteLog(params string[] lines)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".log");
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        return path;
    }

    private static async Task<string> ReadAsync(string path, LogOptions options, Func<CancellationToken, Task<bool>>? running = null)
    {
        using var output = new MemoryStream();
        await new ContainerLogStreamer(TimeSpan.FromMilliseconds(10)).StreamAsync(path, options, output, running ?? (_ => Task.FromResult(false)), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void ParsesCriLineWithTrimmedNanoseconds()
    {
        Assert.True(CriLogLine.TryParse(Encoding.UTF8.GetBytes("2026-11-26T05:01:02.5Z stderr F oh no"), out var line));
        Assert.Equal("stderr", line.Stream);
        Assert.False(line.Partial);
        Assert.Equal("oh no", Encoding.UTF8.GetString(line.Content.Span));
        Assert.Equal("2026-11-26T05:01:02.500000000Z", CriLogLine.FormatTimestamp(line.Time, line.Nanoseconds));
    }

    [Fact]
    public void RejectsLinesNotInCriFormat()
    {
        Assert.False(CriLogLine.TryParse(Encoding.UTF8.GetBytes("just text"), out _));
        Assert.False(CriLogLine.TryParse(Encoding.UTF8.GetBytes("notatime stdout F x"), out _));
    }

    [Fact]
    public async Task JoinsPartialChunksIntoOneLine()
    {
        var path = WriteLog(
            "2026-11-26T05:00:00.1Z stdout P hel",
            "2026-11-26T05:00:00.2Z stdout P lo ",
            "2026-11-26T05:00:00.3Z stdout F world",
            "2026-11-26T05:00:01Z stderr F second");
        Assert.Equal("hello world\nsecond\n", await ReadAsync(path, new LogOptions()));
    }

    [Fact]
    public async Task TimestampsPrefixEachJoinedLineWithItsFirstChunkTime()
    {
        var path = WriteLog(
            "2026-11-26T05:00:00.1Z stdout P a",
            "2026-11-26T05:00:00.2Z stdout F b",
            "2026-11-26T05:00:01.123456789Z stdout F c");
        Assert.Equal(
            "2026-11-26T05:00:00.100000000Z ab\n2026-11-26T05:00:01.123456789Z c\n",
            await ReadAsync(path, new LogOptions { Timestamps = true }));
    }

    [Fact]
    public async Task TailLimitAndSince()
    {
        var path = WriteLog(
            "2026-11-26T05:00:01Z stdout F one",
            "2026-11-26T05:00:02Z stdout F two",
            "2026-11-26T05:00:03Z stdout F three",
            "2026-11-26T05:00:04Z stdout F four");
        Assert.Equal("three\nfour\n", await ReadAsync(path, new LogOptions { TailLines = 2 }));
        Assert.Equal("", await ReadAsync(path, new LogOptions { TailLines = 0 }));
        Assert.Equal("one\ntw", await ReadAsync(path, new LogOptions { LimitBytes = 6 }));
        Assert.Equal("three\nfour\n", await ReadAsync(path, new LogOptions { Since = DateTimeOffset.Parse("2026-11-26T05:00:03Z") }));
    }

    [Fact]
    public async Task UnterminatedLastLineIsShownWithoutNewline()
    {
        var path = WriteLog("2026-11-26T05:00:01Z stdout F one", "2026-11-26T05:00:02Z stdout P no newline");
        Assert.Equal("one\nno newline", await ReadAsync(path, new LogOptions()));
    }

    [Fact]
    public async Task FollowSeesAppendedLinesAndEndsWhenContainerStops()
    {
        var path = WriteLog("2026-11-26T05:00:01Z stdout F first");
        var running = true;
        using var output = new MemoryStream();
        var follow = new ContainerLogStreamer(TimeSpan.FromMilliseconds(10)).StreamAsync(
            path, new LogOptions { Follow = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), CancellationToken.None);
        await File.AppendAllTextAsync(path, "2026-11-26T05:00:02Z stdout F second\n");
        await Task.Delay(50);
        Assert.False(follow.IsCompleted);
        await File.AppendAllTextAsync(path, "2026-11-26T05:00:03Z stdout F third\n");
        Volatile.Write(ref running, false);
        await follow.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("first\nsecond\nthird\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task FollowGoesOnToTheNewFileWhenTheLogIsRotated()
    {
        var path = WriteLog("2026-11-26T05:00:01Z stdout F first");
        var running = true;
        using var output = new MemoryStream();
        var follow = new ContainerLogStreamer(TimeSpan.FromMilliseconds(10)).StreamAsync(
            path, new LogOptions { Follow = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), CancellationToken.None);
        await WaitForOutputAsync(output, "first\n");

        // Rotation: the file is renamed, the runtime finishes its last write there, then writes a new file at the path.
        File.Move(path, path + ".20261126-050002");
        await File.AppendAllTextAsync(path + ".20261126-050002", "2026-11-26T05:00:02Z stdout F second\n");
        await File.WriteAllTextAsync(path, "2026-11-26T05:00:03Z stdout F third\n");
        await WaitForOutputAsync(output, "first\nsecond\nthird\n");

        Volatile.Write(ref running, false);
        await follow.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("first\nsecond\nthird\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    private static async Task WaitForOutputAsync(MemoryStream output, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Encoding.UTF8.GetString(output.ToArray()) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"output never became {expected}: {Encoding.UTF8.GetString(output.ToArray())}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task FollowEndsWhenTheClientLeaves()
    {
        var path = WriteLog("2026-11-26T05:00:01Z stdout F first");
        using var cancel = new CancellationTokenSource();
        using var output = new MemoryStream();
        var follow = new ContainerLogStreamer(TimeSpan.FromMilliseconds(10)).StreamAsync(
            path, new LogOptions { Follow = true }, output, _ => Task.FromResult(true), cancel.Token);
        await File.AppendAllTextAsync(path, "2026-11-26T05:00:02Z stdout F second\n");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Encoding.UTF8.GetString(output.ToArray()) != "first\nsecond\n")
        {
            Assert.True(DateTime.UtcNow < deadline, "the appended line never arrived");
            await Task.Delay(10);
        }
        await cancel.CancelAsync();
        try
        {
            // Still "running": only the client leaving ends it.
            await follow.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
        }
        Assert.True(follow.IsCompleted);
    }
}
