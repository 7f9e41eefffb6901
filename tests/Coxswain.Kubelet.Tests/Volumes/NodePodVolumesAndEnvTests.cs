using Coxswain.Client.Events;
using Coxswain.Kubelet.Env;
using Coxswain.Kubelet.Pods;
using Coxswain.Kubelet.Volumes;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Volumes;

/// <summary>The pod workers' view: CRI mounts and env, upstream's error texts as PodResourceException, events recorded.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NodePodVolumesAndEnvTests
{
    private sealed class RecordedEvents : IEventRecorder
    {
        public List<(string Type, string Reason, string Message)> Events { get; } = [];

        public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message)
        {
            lock (Events)
            {
                Events.Add((type, reason, message));
            }
        }
    }

    [Fact]
    public async Task FirstMountFailureIsThrownAndTheOthersAreRecorded()
    {
        await using var f = new VolumeFixture();
        var events = new RecordedEvents();
        var resources = new NodePodVolumesAndEnv(f.Volumes, new ContainerEnv(f.Objects), events);
        var pod = VolumeFixture.Pod("""
              - {name: a, configMap: {name: gone-a}}
              - {name: b, secret: {secretName: gone-b}}
            """);

        var e = await Assert.ThrowsAsync<PodResourceException>(() => resources.PrepareAsync(pod, CancellationToken.None));

        Assert.Equal("MountVolume.SetUp failed for volume \"a\" : configmap \"gone-a\" not found", e.Message);
        Assert.Equal(("Warning", "FailedMount", "MountVolume.SetUp failed for volume \"b\" : secret \"gone-b\" not found"), Assert.Single(events.Events));
    }

    [Fact]
    public async Task EnvMountsAndTheTerminationMessageFileAsCriMessages()
    {
        await using var f = new VolumeFixture();
        f.Objects.ConfigMap("shop", "cfg", new() { ["DIR"] = "logs", ["bad key"] = "x" });
        var events = new RecordedEvents();
        var resources = new NodePodVolumesAndEnv(f.Volumes, new ContainerEnv(f.Objects), events);
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}", """
                envFrom: [{configMapRef: {name: cfg}}]
                env:
                - name: IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                volumeMounts:
                - {name: scratch, mountPath: /data, subPathExpr: "$(DIR)", mountPropagation: HostToContainer}
            """);
        await resources.PrepareAsync(pod, CancellationToken.None);

        var env = await resources.EnvAsync(pod, pod.Spec.Containers[0], "10.42.0.5", "10.99.0.1", CancellationToken.None);
        var mounts = resources.Mounts(pod, pod.Spec.Containers[0], env);

        Assert.Equal("10.42.0.5", Assert.Single(env, kv => kv.Key == "IP").Value);
        Assert.Equal("InvalidEnvironmentVariableNames", Assert.Single(events.Events).Reason);
        var data = Assert.Single(mounts, m => m.ContainerPath == "/data");
        Assert.EndsWith("/kubernetes.io~empty-dir/scratch/logs", data.HostPath, StringComparison.Ordinal);
        Assert.Equal(Coxswain.Kubelet.Cri.V1.MountPropagation.PropagationHostToContainer, data.Propagation);
        Assert.Contains("10.42.0.5\tweb", File.ReadAllText(Assert.Single(mounts, m => m.ContainerPath == "/etc/hosts").HostPath), StringComparison.Ordinal);
        var message = Assert.Single(mounts, m => m.ContainerPath == "/dev/termination-log");
        Assert.Equal(message.HostPath, resources.TerminationMessageFile("uid-1", "app"));

        await resources.TeardownAsync("uid-1", CancellationToken.None);
        Assert.Null(resources.TerminationMessageFile("uid-1", "app"));
        Assert.False(Directory.Exists(f.Volumes.PodDir("uid-1")));
    }

    [Fact]
    public async Task ConfigErrorsBecomePodResourceExceptions()
    {
        await using var f = new VolumeFixture();
        var resources = new NodePodVolumesAndEnv(f.Volumes, new ContainerEnv(f.Objects), new RecordedEvents());
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}", """
                env:
                - name: X
                  valueFrom: {secretKeyRef: {name: creds, key: k}}
                volumeMounts: [{name: nope, mountPath: /x}]
            """);

        var envError = await Assert.ThrowsAsync<PodResourceException>(() => resources.EnvAsync(pod, pod.Spec.Containers[0], null, "10.99.0.1", CancellationToken.None));
        var mountError = Assert.Throws<PodResourceException>(() => resources.Mounts(pod, pod.Spec.Containers[0], []));

        Assert.Equal("secret \"creds\" not found", envError.Message);
        Assert.Equal("cannot find volume \"nope\" to mount into container \"app\"", mountError.Message);
    }
}
