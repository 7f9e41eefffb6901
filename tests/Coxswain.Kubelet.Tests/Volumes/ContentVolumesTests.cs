using Coxswain.Kubelet.Volumes;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Volumes;

/// <summary>configMap, secret, downwardAPI and projected volumes: files, modes, errors and live updates through ..data.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContentVolumesTests
{
    private static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(Path.GetFullPath(new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path));

    [Fact]
    public async Task ConfigMapKeysAreFilesLinkedThroughData()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["app.conf"] = "port=80\n", ["mode"] = "fast" });
        f.Objects.ConfigMaps[("shop", "cfg")].BinaryData = new Dictionary<string, byte[]> { ["blob.bin"] = [0, 1, 2, 255] };
        var dir = await f.SetupAsync(VolumeFixture.Pod("  - {name: cfg, configMap: {name: cfg}}"), "cfg");

        Assert.Equal(Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~configmap", "cfg"), dir);
        Assert.Equal("port=80\n", File.ReadAllText(Path.Combine(dir, "app.conf")));
        Assert.Equal("fast", File.ReadAllText(Path.Combine(dir, "mode")));
        Assert.Equal([0, 1, 2, 255], File.ReadAllBytes(Path.Combine(dir, "blob.bin")));
        Assert.Equal("..data/mode", new FileInfo(Path.Combine(dir, "mode")).LinkTarget);
        Assert.StartsWith("..20", new FileInfo(Path.Combine(dir, "..data")).LinkTarget, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0x1a4, ModeOf(Path.Combine(dir, "mode"))); // 0644
    }

    [Fact]
    public async Task ItemsChoosePathsAndModesOverDefaultMode()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "A", ["b"] = "B", ["c"] = "C" });
        var pod = VolumeFixture.Pod("""
              - name: cfg
                configMap:
                  name: cfg
                  defaultMode: 384
                  items:
                  - {key: a, path: conf/a.txt, mode: 256}
                  - {key: b, path: b.txt}
            """);
        var dir = await f.SetupAsync(pod, "cfg");

        Assert.Equal("A", File.ReadAllText(Path.Combine(dir, "conf", "a.txt")));
        Assert.Equal("B", File.ReadAllText(Path.Combine(dir, "b.txt")));
        Assert.False(Path.Exists(Path.Combine(dir, "c")));
        Assert.Equal("..data/conf", new FileInfo(Path.Combine(dir, "conf")).LinkTarget);
        Assert.Equal((UnixFileMode)0x100, ModeOf(Path.Combine(dir, "conf", "a.txt"))); // 0400
        Assert.Equal((UnixFileMode)0x180, ModeOf(Path.Combine(dir, "b.txt")));        // 0600 from defaultMode
    }

    [Theory]
    [InlineData("  - {name: v, configMap: {name: gone}}", "configmap \"gone\" not found")]
    [InlineData("  - {name: v, secret: {secretName: gone}}", "secret \"gone\" not found")]
    [InlineData("  - name: v\n    configMap:\n      name: cfg\n      items: [{key: nope, path: x}]", "configmap references non-existent config key: nope")]
    [InlineData("  - name: v\n    secret:\n      secretName: s\n      items: [{key: nope, path: x}]", "secret references non-existent secret key: nope")]
    [InlineData("  - name: v\n    projected:\n      sources:\n      - configMap: {name: gone}\n      - secret: {name: gone2}", "[configmap \"gone\" not found, secret \"gone2\" not found]")]
    public async Task MissingObjectsAndKeysFailTheMountWithUpstreamsMessage(string volumeYaml, string message)
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "A" }).Secret("shop", "s", new() { ["a"] = "A" });
        var failure = Assert.Single(await f.Volumes.SetupAsync(VolumeFixture.Pod(volumeYaml), CancellationToken.None));

        Assert.Equal(message, failure.Message);
        Assert.Equal($"MountVolume.SetUp failed for volume \"v\" : {message}", failure.EventMessage);
        Assert.Equal("FailedMount", VolumeFailure.Reason);
    }

    [Fact]
    public async Task OptionalMissingSourcesGiveEmptyVolumes()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "A" });
        var pod = VolumeFixture.Pod("""
              - {name: c, configMap: {name: gone, optional: true}}
              - name: k
                configMap:
                  name: cfg
                  optional: true
                  items: [{key: a, path: a}, {key: nope, path: nope}]
            """);
        Assert.All(Directory.GetFileSystemEntries(await f.SetupAsync(pod, "c")), e => Assert.StartsWith("..", Path.GetFileName(e), StringComparison.Ordinal));
        var keys = await f.SetupAsync(pod, "k");
        Assert.True(File.Exists(Path.Combine(keys, "a")));
        Assert.False(Path.Exists(Path.Combine(keys, "nope")));
    }

    [Fact]
    public async Task SecretVolumeIsATmpfsWithTheDecodedValues()
    {
        await using var f = new VolumeFixture();
        f.Objects.Secret("shop", "creds", new() { ["password"] = "s3cret" });
        var dir = await f.SetupAsync(VolumeFixture.Pod("  - {name: creds, secret: {secretName: creds, defaultMode: 256}}"), "creds");

        Assert.Equal(Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~secret", "creds"), dir);
        Assert.StartsWith("tmpfs ", VolumeFixture.MountOptions(dir), StringComparison.Ordinal);
        Assert.Equal("s3cret", File.ReadAllText(Path.Combine(dir, "password")));
        Assert.Equal((UnixFileMode)0x100, ModeOf(Path.Combine(dir, "password")));
    }

    [Fact]
    public async Task DownwardApiWritesMetadataAndResources()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("""
              - name: info
                downwardAPI:
                  items:
                  - {path: labels, fieldRef: {fieldPath: metadata.labels}}
                  - {path: name, fieldRef: {fieldPath: metadata.name}}
                  - {path: meta/owner, fieldRef: {fieldPath: "metadata.annotations['owner']"}}
                  - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
                  - {path: cpu, resourceFieldRef: {containerName: app, resource: requests.cpu, divisor: 1m}}
            """);
        var dir = await f.SetupAsync(pod, "info");

        Assert.Equal(Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~downward-api", "info"), dir);
        Assert.Equal("app=\"web\"\ntier=\"front\"", File.ReadAllText(Path.Combine(dir, "labels")));
        Assert.Equal("web", File.ReadAllText(Path.Combine(dir, "name")));
        Assert.Equal("team-a", File.ReadAllText(Path.Combine(dir, "meta", "owner")));
        Assert.Equal("64", File.ReadAllText(Path.Combine(dir, "mem")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(dir, "cpu")));
    }

    [Fact]
    public async Task ProjectedMergesSourcesAndSkipsServiceAccountTokens()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "A" }).Secret("shop", "s", new() { ["b"] = "B" });
        var pod = VolumeFixture.Pod("""
              - name: all
                projected:
                  defaultMode: 288
                  sources:
                  - configMap: {name: cfg}
                  - secret:
                      name: s
                      items: [{key: b, path: sec/b}]
                  - downwardAPI:
                      items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]
                  - serviceAccountToken: {path: token, expirationSeconds: 3600}
            """);
        var dir = await f.SetupAsync(pod, "all");

        Assert.Equal(Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~projected", "all"), dir);
        Assert.StartsWith("tmpfs ", VolumeFixture.MountOptions(dir), StringComparison.Ordinal);
        Assert.Equal("A", File.ReadAllText(Path.Combine(dir, "a")));
        Assert.Equal("B", File.ReadAllText(Path.Combine(dir, "sec", "b")));
        Assert.Equal("shop", File.ReadAllText(Path.Combine(dir, "ns")));
        Assert.False(Path.Exists(Path.Combine(dir, "token")));
        Assert.Equal((UnixFileMode)0x120, ModeOf(Path.Combine(dir, "a"))); // 0440
    }

    [Fact]
    public async Task UpdateSwapsDataAtomicallyAndKeepsTheUserVisiblePaths()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["keep"] = "v1", ["drop"] = "x" });
        var pod = VolumeFixture.Pod("  - {name: cfg, configMap: {name: cfg}}");
        var dir = await f.SetupAsync(pod, "cfg");
        var oldTs = new FileInfo(Path.Combine(dir, "..data")).LinkTarget!;
        using var heldOpen = File.OpenRead(Path.Combine(dir, "keep")); // a reader of the old version

        Assert.Empty(await f.Volumes.UpdateAsync(pod, CancellationToken.None));
        Assert.Equal(oldTs, new FileInfo(Path.Combine(dir, "..data")).LinkTarget); // nothing changed: no rewrite

        f.Objects.ConfigMap("shop", "cfg", new() { ["keep"] = "v2", ["added"] = "new" });
        Assert.Empty(await f.Volumes.UpdateAsync(pod, CancellationToken.None));

        var newTs = new FileInfo(Path.Combine(dir, "..data")).LinkTarget!;
        Assert.NotEqual(oldTs, newTs);
        Assert.False(Directory.Exists(Path.Combine(dir, oldTs)));
        Assert.Equal("v2", File.ReadAllText(Path.Combine(dir, "keep")));
        Assert.Equal("..data/keep", new FileInfo(Path.Combine(dir, "keep")).LinkTarget);
        Assert.Equal("new", File.ReadAllText(Path.Combine(dir, "added")));
        Assert.False(Path.Exists(Path.Combine(dir, "drop")));
        Assert.Null(new FileInfo(Path.Combine(dir, "drop")).LinkTarget);
        Assert.Equal([newTs, "..data", "added", "keep"], Directory.GetFileSystemEntries(dir).Select(e => Path.GetFileName(e) ?? "").Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task UpdateRefreshesSecretsAndDownwardApiLabelsButNotEmptyDirs()
    {
        await using var f = new VolumeFixture();
        f.Objects.Secret("shop", "s", new() { ["k"] = "one" });
        var pod = VolumeFixture.Pod("""
              - {name: sec, secret: {secretName: s}}
              - name: info
                downwardAPI:
                  items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
            """);
        var sec = await f.SetupAsync(pod, "sec");
        var info = await f.SetupAsync(pod, "info");

        f.Objects.Secret("shop", "s", new() { ["k"] = "two" });
        pod.Metadata.Labels["app"] = "api";
        Assert.Empty(await f.Volumes.UpdateAsync(pod, CancellationToken.None));

        Assert.Equal("two", File.ReadAllText(Path.Combine(sec, "k")));
        Assert.Equal("app=\"api\"\ntier=\"front\"", File.ReadAllText(Path.Combine(info, "labels")));
    }

    [Fact]
    public async Task UpdateReportsASourceThatDisappeared()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "A" });
        var pod = VolumeFixture.Pod("  - {name: cfg, configMap: {name: cfg}}");
        var dir = await f.SetupAsync(pod, "cfg");
        f.Objects.ConfigMaps.Clear();

        Assert.Equal("configmap \"cfg\" not found", Assert.Single(await f.Volumes.UpdateAsync(pod, CancellationToken.None)).Message);
        Assert.Equal("A", File.ReadAllText(Path.Combine(dir, "a"))); // the last good content stays
    }

    [Theory]
    [InlineData("/abs", "invalid path: must be relative path: /abs")]
    [InlineData("a/../b", "invalid path: must not contain '..': a/../b")]
    [InlineData("..hidden", "invalid path: must not start with '..': ..hidden")]
    public void PayloadPathsAreValidated(string path, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => AtomicWriter.Validate(new Dictionary<string, FileProjection> { [path] = new([], 420) }));
        Assert.Equal(message, e.Message);
    }
}
