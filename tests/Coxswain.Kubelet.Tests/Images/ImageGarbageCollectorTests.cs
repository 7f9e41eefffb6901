using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Images;
using Coxswain.Kubelet.Node;
using Coxswain.Kubelet.Pods;
using Coxswain.Kubelet.Runtime;
using Coxswain.Kubelet.Tests.Harness;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>Image garbage collection against a real containerd (in a test node) with a filesystem the test says is full.</summary>
public sealed class ImageGarbageCollectorTests
{
    private sealed class Events : IEventRecorder
    {
        public List<string> Recorded { get; } = [];
        public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message)
        {
            lock (Recorded)
            {
                Recorded.Add($"{obj.Kind}/{obj.Metadata.Name} {type} {reason}: {message}");
            }
        }
    }

    [Fact]
    public async Task AFullImageFilesystemLosesItsUnusedImagesOnceOldEnoughButKeepsUsedAndPinnedOnes()
    {
        await using var host = await NodeHost.StartAsync(["--disable-agent"]);
        var paths = new AgentPaths(host.AgentDataDir);
        NodeHostPodTests.StartContainerd(host, paths);
        using var cri = CriClient.Connect(paths.ContainerdSocket);
        await NodeHostPodTests.WaitForCriAsync(cri, host);
        foreach (var (name, variant) in new[] { (ContainerdConfig.DefaultSandboxImage, "pause"), ("example.com/app:1", "app"), ("example.com/old:1", "old"), ("example.com/older:1", "older") })
        {
            var archive = Path.Combine(host.HarnessDir, variant + ".tar");
            SleeperImage.WriteArchive(archive, name, variant);
            HostCommand.Ok("ctr", "-a", paths.ContainerdSocket, "-n", "k8s.io", "images", "import", archive);
        }
        // A created (not even started) container keeps its image in use.
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "web", Uid = "uid-web", Namespace = "default" },
            LogDirectory = paths.PodLogDirectory("default", "web", "uid-web"),
            Linux = new LinuxPodSandboxConfig { CgroupParent = host.CgroupRoot + "/poduid-web" },
        };
        var sandbox = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
        await cri.Runtime.CreateContainerAsync(new CreateContainerRequest
        {
            PodSandboxId = sandbox,
            SandboxConfig = sandboxConfig,
            Config = new ContainerConfig { Metadata = new ContainerMetadata { Name = "app" }, Image = new ImageSpec { Image = "example.com/app:1" }, LogPath = "app/0.log" },
        });

        var full = false;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var events = new Events();
        var settings = new KubeletSettings { NodeName = "node-1", Paths = paths, MinimumImageTtl = TimeSpan.FromMinutes(2) };
        // 100 GB, and either nothing or everything available: 100% full asks for 20 GB, far more than there is.
        var gc = new ImageGarbageCollector(cri, settings, events, NullLogger.Instance,
            _ => new FilesystemStats(100_000_000_000, full ? 0 : 100_000_000_000, 1000, 1000), time);
        async Task<List<string>> TagsAsync() => [.. (await cri.Images.ListImagesAsync(new ListImagesRequest())).Images.SelectMany(i => i.RepoTags).Order()];
        var all = await TagsAsync();

        // Below the high threshold nothing goes.
        Assert.Equal(0, await gc.CollectAsync(CancellationToken.None));
        Assert.Equal(all, await TagsAsync());

        // Full, but the unused images were first seen less than 2 minutes ago.
        full = true;
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await gc.CollectAsync(CancellationToken.None));
        Assert.Equal(all, await TagsAsync());
        Assert.Contains("Node/node-1 Warning FreeDiskSpaceFailed: Failed to garbage collect required amount of images. Attempted to free 20000000000 bytes, but only found 0 bytes eligible to free.", events.Recorded);

        // Old enough: both unused images go; the one a container uses and the sandbox image stay.
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await gc.CollectAsync(CancellationToken.None) > 0);
        Assert.Equal(["example.com/app:1", ContainerdConfig.DefaultSandboxImage], await TagsAsync());
    }
}
