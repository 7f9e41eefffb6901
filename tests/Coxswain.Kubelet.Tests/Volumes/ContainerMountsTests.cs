using Coxswain.Kubelet.Env;
using Coxswain.Kubelet.Volumes;

namespace Coxswain.Kubelet.Tests.Volumes;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContainerMountsTests
{
    private const string Volumes = """
          - {name: scratch, emptyDir: {}}
          - {name: cfg, configMap: {name: cfg}}
          - {name: host, hostPath: {path: /tmp}}
        """;

    [Fact]
    public async Task VolumeMountsWithReadOnlyAsUpstream()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["app.conf"] = "x" });
        var pod = VolumeFixture.Pod(Volumes, """
                terminationMessagePath: ""
                volumeMounts:
                - {name: scratch, mountPath: /scratch}
                - {name: scratch, mountPath: /scratch-ro, readOnly: true}
                - {name: cfg, mountPath: /etc/app}
                - {name: host, mountPath: /host, mountPropagation: HostToContainer}
            """);
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None));

        var mounts = f.Volumes.MountsFor(pod, pod.Spec.Containers[0], []);

        var podDir = Path.Combine(f.Root, "pods", "uid-1");
        Assert.Equal(
            [
                new ContainerMount(Path.Combine(podDir, "volumes", "kubernetes.io~empty-dir", "scratch"), "/scratch", false, MountPropagation.Private),
                new ContainerMount(Path.Combine(podDir, "volumes", "kubernetes.io~empty-dir", "scratch"), "/scratch-ro", true, MountPropagation.Private),
                new ContainerMount(Path.Combine(podDir, "volumes", "kubernetes.io~configmap", "cfg"), "/etc/app", true, MountPropagation.Private),
                new ContainerMount("/tmp", "/host", false, MountPropagation.HostToContainer),
            ],
            mounts);
    }

    [Fact]
    public async Task SubPathAndSubPathExprCreateTheSubDirectory()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "b" });
        var pod = VolumeFixture.Pod(Volumes, """
                terminationMessagePath: ""
                volumeMounts:
                - {name: scratch, mountPath: /logs, subPath: logs/app}
                - {name: scratch, mountPath: /mine, subPathExpr: "pods/$(POD_NAME)"}
            """);
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None));

        var mounts = f.Volumes.MountsFor(pod, pod.Spec.Containers[0], [new EnvVar("POD_NAME", "web")]);

        var volume = Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~empty-dir", "scratch");
        Assert.Equal(Path.Combine(volume, "logs", "app"), mounts[0].HostPath);
        Assert.Equal(Path.Combine(volume, "pods", "web"), mounts[1].HostPath);
        Assert.True(Directory.Exists(mounts[0].HostPath));
        Assert.True(Directory.Exists(mounts[1].HostPath));
    }

    [Fact]
    public async Task ConfigMapKeySubPathMountsTheResolvedFile()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["app.conf"] = "x" });
        var pod = VolumeFixture.Pod(Volumes, """
                terminationMessagePath: ""
                volumeMounts:
                - {name: cfg, mountPath: /etc/app.conf, subPath: app.conf}
            """);
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None));

        var mount = Assert.Single(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], []));

        var volume = Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~configmap", "cfg");
        var tsDir = new FileInfo(Path.Combine(volume, "..data")).LinkTarget!;
        Assert.Equal(Path.Combine(volume, tsDir, "app.conf"), mount.HostPath);
        Assert.True(mount.ReadOnly);
    }

    [Theory]
    [InlineData("- {name: nope, mountPath: /x}", "cannot find volume \"nope\" to mount into container \"app\"")]
    [InlineData("- {name: scratch, mountPath: /x, subPathExpr: \"$(UNSET)/$(EMPTY)/$(SET)\"}", "missing value for EMPTY, UNSET")]
    [InlineData("- {name: scratch, mountPath: /x, subPath: /etc}", "error SubPath `/etc` must not be an absolute path")]
    [InlineData("- {name: scratch, mountPath: /x, subPath: a/../../b}", "unable to provision SubPath `a/../../b`: must not contain '..'")]
    [InlineData("- {name: scratch, mountPath: /x, mountPropagation: Bidirectional}", "Bidirectional mount propagation is available only to privileged containers")]
    public async Task BadMountsAreContainerConfigErrors(string mountYaml, string message)
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod(Volumes, $"""
                volumeMounts:
                {mountYaml}
            """);
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "b" });
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None));

        var e = Assert.Throws<ContainerConfigException>(() => f.Volumes.MountsFor(pod, pod.Spec.Containers[0], [new EnvVar("SET", "s"), new EnvVar("EMPTY", "")]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task SymlinkOutOfTheVolumeIsRefused()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["a"] = "b" });
        var pod = VolumeFixture.Pod(Volumes, """
                volumeMounts:
                - {name: scratch, mountPath: /x, subPath: escape}
            """);
        var dir = await f.SetupAsync(pod, "scratch");
        File.CreateSymbolicLink(Path.Combine(dir, "escape"), "/etc");

        var e = Assert.Throws<ContainerConfigException>(() => f.Volumes.MountsFor(pod, pod.Spec.Containers[0], []));
        Assert.StartsWith("subpath \"/etc\" not within volume path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachStartGetsAFreshWorldWritableTerminationMessageFile()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}", "    terminationMessagePath: /dev/custom-log");

        var first = Assert.Single(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], []));
        var second = Assert.Single(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], []));

        Assert.Equal("/dev/custom-log", first.ContainerPath);
        Assert.False(first.ReadOnly);
        Assert.Equal(Path.Combine(f.Root, "pods", "uid-1", "containers", "app"), Path.GetDirectoryName(first.HostPath));
        Assert.NotEqual(first.HostPath, second.HostPath);
        Assert.Equal((UnixFileMode)0x1b6, File.GetUnixFileMode(first.HostPath));
        Assert.Equal("", TerminationMessage.Read(first.HostPath));

        File.WriteAllText(first.HostPath, new string('a', 5000) + "END");
        var message = TerminationMessage.Read(first.HostPath);
        Assert.Equal(TerminationMessage.MaxLength, message.Length);
        Assert.EndsWith("END", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminationMessagePathDefaultsAsUpstream()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}");
        Assert.Equal("/dev/termination-log", Assert.Single(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], [])).ContainerPath);
    }
}
