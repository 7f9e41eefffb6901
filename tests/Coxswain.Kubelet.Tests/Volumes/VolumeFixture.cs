using Coxswain.Kubelet.Tests.Env;
using Coxswain.Kubelet.Volumes;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Volumes;

/// <summary>A pods directory in a temp dir, torn down (tmpfs unmounted) on dispose even when a test fails.</summary>
internal sealed class VolumeFixture : IAsyncDisposable
{
    public VolumeFixture()
    {
        Root = Directory.CreateTempSubdirectory("cox-volumes-").FullName;
        Volumes = new PodVolumes(
            new PodVolumesOptions(Path.Combine(Root, "pods"))
            {
                NodeAllocatable = () => new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi") },
            },
            Objects);
    }

    public string Root { get; }

    public FakePodObjects Objects { get; } = new();

    public PodVolumes Volumes { get; }

    public static V1Pod Pod(string volumesYaml, string containerYaml = "", string uid = "uid-1") => KubernetesYaml.Deserialize<V1Pod>($$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          uid: {{uid}}
          labels: {app: web, tier: front}
          annotations: {owner: team-a}
        spec:
          containers:
          - name: app
            image: busybox
            resources:
              limits: {memory: 64Mi, cpu: 250m}
        {{containerYaml}}
          volumes:
        {{volumesYaml}}
        """);

    public async Task<string> SetupAsync(V1Pod pod, string volume)
    {
        Assert.Empty(await Volumes.SetupAsync(pod, CancellationToken.None));
        return Volumes.VolumePath(pod.Metadata.Uid, pod.Spec.Volumes.Single(v => v.Name == volume));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var pod in Directory.Exists(Path.Combine(Root, "pods")) ? Directory.GetDirectories(Path.Combine(Root, "pods")) : [])
            {
                await Volumes.TeardownAsync(Path.GetFileName(pod));
            }
        }
        finally
        {
            foreach (var mountPoint in Tmpfs.MountPointsUnder(Root))
            {
                Tmpfs.Unmount(mountPoint);
            }
            Directory.Delete(Root, recursive: true);
        }
    }

    public static string MountOptions(string dir) =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f[4] == dir).Select(f => f[^3] + " " + f[^1]).SingleOrDefault() ?? "";
}
