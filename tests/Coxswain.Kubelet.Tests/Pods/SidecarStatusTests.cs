using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Pods;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Pods;

/// <summary>The pod status of a pod with sidecars (restartable init containers), as upstream's kubelet reports it.</summary>
public sealed class SidecarStatusTests
{
    private sealed class FakeProbes : IProbeResults
    {
        public HashSet<string> NotStarted { get; } = [];
        public HashSet<string> NotReady { get; } = [];
        public bool Started(string containerId) => !NotStarted.Contains(containerId);
        public bool Ready(string containerId) => !NotReady.Contains(containerId);
        public bool MustRestart(string containerId) => false;
    }

    private static V1Pod Pod(string restartPolicy = "Always") => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "uid" },
        Spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            InitContainers =
            [
                new V1Container { Name = "setup", Image = "busybox" },
                new V1Container { Name = "proxy", Image = "busybox", RestartPolicy = "Always" },
            ],
            Containers = [new V1Container { Name = "app", Image = "busybox" }],
        },
        Status = new V1PodStatus(),
    };

    private static long _clock = 1_000;

    private static RuntimeContainer Container(string name, ContainerState state, int exitCode = 0) => new(new ContainerStatus
    {
        Id = name + "-id",
        Metadata = new ContainerMetadata { Name = name },
        State = state,
        ExitCode = exitCode,
        CreatedAt = ++_clock * 1_000_000_000,
        StartedAt = _clock * 1_000_000_000,
        FinishedAt = state == ContainerState.ContainerExited ? (_clock + 1) * 1_000_000_000 : 0,
    }, "sandbox");

    private static RuntimeContainer Running(string name) => Container(name, ContainerState.ContainerRunning);

    private static RuntimeContainer Exited(string name, int exitCode) => Container(name, ContainerState.ContainerExited, exitCode);

    private static V1PodStatus Build(V1Pod pod, FakeProbes probes, params RuntimeContainer[] containers) => PodStatusBuilder.Build(pod, new PodRuntimeState
    {
        Sandboxes = [new PodSandbox { Id = "sandbox", State = PodSandboxState.SandboxReady, Metadata = new PodSandboxMetadata { Uid = "uid" } }],
        // Newest first, as the runtime state orders them.
        Containers = [.. containers.Reverse()],
        SandboxStatus = new PodSandboxStatus { Id = "sandbox", Network = new PodSandboxNetworkStatus { Ip = "10.42.0.5" } },
    }, new PodRecord("uid"), probes, "10.99.0.1");

    private static V1PodCondition Condition(V1PodStatus status, string type) => status.Conditions.Single(c => c.Type == type);

    [Fact]
    public void AStartedSidecarCompletesInitialization()
    {
        var status = Build(Pod(), new FakeProbes(), Exited("setup", 0), Running("proxy"));

        Assert.Equal("True", Condition(status, "Initialized").Status);
        Assert.Equal("Pending", status.Phase);
        var proxy = status.InitContainerStatuses.Single(s => s.Name == "proxy");
        Assert.NotNull(proxy.State.Running);
        Assert.Equal((true, true), (proxy.Started, proxy.Ready));
        Assert.Equal("ContainerCreating", status.ContainerStatuses[0].State.Waiting.Reason);
    }

    [Fact]
    public void ASidecarWaitingForItsStartupProbeHoldsInitializationBack()
    {
        var probes = new FakeProbes();
        probes.NotStarted.Add("proxy-id");

        var status = Build(Pod(), probes, Exited("setup", 0), Running("proxy"));

        var initialized = Condition(status, "Initialized");
        Assert.Equal(("False", "ContainersNotInitialized", "containers with incomplete status: [proxy]"),
            (initialized.Status, initialized.Reason, initialized.Message));
        Assert.Equal("Pending", status.Phase);
        Assert.Equal("PodInitializing", status.ContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal((false, false), (status.InitContainerStatuses[1].Started, status.InitContainerStatuses[1].Ready));
    }

    [Fact]
    public void AnUnreadySidecarKeepsThePodUnready()
    {
        var probes = new FakeProbes();
        probes.NotReady.Add("proxy-id");

        var status = Build(Pod(), probes, Exited("setup", 0), Running("proxy"), Running("app"));

        Assert.Equal("Running", status.Phase);
        var ready = Condition(status, "ContainersReady");
        Assert.Equal(("False", "containers with unready status: [proxy]"), (ready.Status, ready.Message));
        Assert.Equal("False", Condition(status, "Ready").Status);
        Assert.True(status.ContainerStatuses[0].Ready);

        probes.NotReady.Clear();
        status = Build(Pod(), probes, Exited("setup", 0), Running("proxy"), Running("app"));
        Assert.Equal("True", Condition(status, "Ready").Status);
    }

    [Fact]
    public void ASidecarCrashingAfterTheAppStartedDoesNotUndoInitialization()
    {
        var status = Build(Pod(), new FakeProbes(), Exited("setup", 0), Running("app"), Exited("proxy", 1));

        Assert.Equal("True", Condition(status, "Initialized").Status);
        Assert.Equal("Running", status.Phase);
    }

    [Fact]
    public void APodWhoseAppFinishedRunsUntilItsSidecarsAreStoppedThenSucceeds()
    {
        var pod = Pod("Never");
        var finishing = Build(pod, new FakeProbes(), Exited("setup", 0), Running("proxy"), Exited("app", 0));
        Assert.Equal("Running", finishing.Phase);

        // The sidecar's own exit code (SIGTERM) does not make the pod fail.
        var done = Build(pod, new FakeProbes(), Exited("setup", 0), Exited("app", 0), Exited("proxy", 143));
        Assert.Equal("Succeeded", done.Phase);

        var failed = Build(pod, new FakeProbes(), Exited("setup", 0), Exited("app", 2), Exited("proxy", 0));
        Assert.Equal("Failed", failed.Phase);
    }
}
