using System.IO.Compression;
using Coxswain.Kubelet.Pods;
using Coxswain.Kubelet.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Kubelet.Tests.Pods;

/// <summary>Container log rotation as upstream's container log manager does it, on real files.</summary>
public sealed class ContainerLogRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cox-rotate-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 5, 0, 0, TimeSpan.Zero));
    private readonly ContainerLogRotation _rotation;
    private readonly string _log;
    private int _reopened;

    public ContainerLogRotationTests()
    {
        var settings = new KubeletSettings { NodeName = "n", Paths = new AgentPaths(_dir), ContainerLogMaxSize = 100, ContainerLogMaxFiles = 3 };
        _rotation = new ContainerLogRotation(null!, settings, NullLogger.Instance, _time);
        _log = Path.Combine(_dir, "0.log");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>What the runtime does on ReopenContainerLog: a new, empty file at the log path.</summary>
    private Task Reopen()
    {
        _reopened++;
        File.WriteAllText(_log, "");
        return Task.CompletedTask;
    }

    private List<string> Files() => [.. Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task ASmallLogIsLeftAlone()
    {
        await File.WriteAllTextAsync(_log, new string('a', 99));
        await _rotation.RotateIfFullAsync(_log, Reopen);
        Assert.Equal(["0.log"], Files());
        Assert.Equal(0, _reopened);
    }

    [Fact]
    public async Task AFullLogIsRenamedWithATimestampAndTheOlderOnesCompressedAndCapped()
    {
        await File.WriteAllTextAsync(_log, new string('a', 100));
        await _rotation.RotateIfFullAsync(_log, Reopen);
        Assert.Equal(["0.log", "0.log.20261126-050000"], Files());
        Assert.Equal(new string('a', 100), await File.ReadAllTextAsync(_log + ".20261126-050000"));
        Assert.Equal("", await File.ReadAllTextAsync(_log));

        // Next rotation: the previous one is gzipped; three files at most (maxFiles 3), the oldest goes first.
        _time.Advance(TimeSpan.FromSeconds(10));
        await File.WriteAllTextAsync(_log, new string('b', 150));
        await _rotation.RotateIfFullAsync(_log, Reopen);
        Assert.Equal(["0.log", "0.log.20261126-050000.gz", "0.log.20261126-050010"], Files());
        await using (var gz = new GZipStream(File.OpenRead(_log + ".20261126-050000.gz"), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            Assert.Equal(new string('a', 100), await reader.ReadToEndAsync());
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        await File.WriteAllTextAsync(_log, new string('c', 100));
        await _rotation.RotateIfFullAsync(_log, Reopen);
        Assert.Equal(["0.log", "0.log.20261126-050010.gz", "0.log.20261126-050020"], Files());
        Assert.Equal(3, _reopened);
    }

    [Fact]
    public async Task LeftoversOfAnInterruptedCompressionAreRemoved()
    {
        await File.WriteAllTextAsync(_log + ".20261126-045900", "x");
        await File.WriteAllTextAsync(_log + ".20261126-045900.gz", "x");
        await File.WriteAllTextAsync(_log + ".20261126-045900.gz.tmp", "x");
        await File.WriteAllTextAsync(_log, new string('a', 100));

        await _rotation.RotateIfFullAsync(_log, Reopen);

        Assert.Equal(["0.log", "0.log.20261126-045900.gz", "0.log.20261126-050000"], Files());
    }

    [Fact]
    public async Task AFailedReopenPutsTheLogBack()
    {
        await File.WriteAllTextAsync(_log, new string('a', 100));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _rotation.RotateIfFullAsync(_log, () => throw new InvalidOperationException("runtime down")));
        Assert.Equal(["0.log"], Files());
        Assert.Equal(new string('a', 100), await File.ReadAllTextAsync(_log));
    }

    [Fact]
    public async Task AMissingLogIsReopened()
    {
        await _rotation.RotateIfFullAsync(_log, Reopen);
        Assert.Equal(1, _reopened);
        Assert.True(File.Exists(_log));
    }
}
