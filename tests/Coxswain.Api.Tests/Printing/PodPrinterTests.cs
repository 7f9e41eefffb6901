using Coxswain.Api.Printing;
using k8s.Models;

namespace Coxswain.Api.Tests.Printing;

public class PodPrinterTests : PrinterTestBase
{
    private static V1ContainerStatus Running(string name, bool ready = true, int restarts = 0, DateTime? lastFinished = null) =>
        Status(name, new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Ago(4) } }, ready, restarts, lastFinished);

    private static V1ContainerStatus Waiting(string name, string reason, int restarts = 0, DateTime? lastFinished = null) =>
        Status(name, new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason } }, false, restarts, lastFinished);

    private static V1ContainerStatus Terminated(string name, int exitCode, string? reason = null, int? signal = null, int restarts = 0) =>
        Status(name, new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = reason, Signal = signal, FinishedAt = Ago(1) } }, false, restarts, null);

    private static V1ContainerStatus Status(string name, V1ContainerState state, bool ready, int restarts, DateTime? lastFinished) => new()
    {
        Name = name,
        Image = "img",
        ImageID = "",
        State = state,
        Ready = ready,
        RestartCount = restarts,
        LastState = lastFinished == null ? new V1ContainerState() : new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, FinishedAt = lastFinished } },
    };

    private static V1Pod Pod(
        string phase,
        V1ContainerStatus[]? containers = null,
        V1ContainerStatus[]? init = null,
        string[]? sidecars = null,
        string? reason = null,
        bool deleting = false,
        params (string Type, string Status, string? Reason)[] conditions)
    {
        containers ??= [];
        init ??= [];
        sidecars ??= [];
        var specNames = containers.Length == 0 ? ["app"] : containers.Select(c => c.Name).ToArray();
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", CreationTimestamp = Ago(30), DeletionTimestamp = deleting ? Ago(0) : null },
            Spec = new V1PodSpec
            {
                Containers = specNames.Select(n => Container(n, "img")).ToList(),
                InitContainers = init.Select(c => new V1Container { Name = c.Name, Image = "img", RestartPolicy = sidecars.Contains(c.Name) ? "Always" : null }).ToList(),
            },
            Status = new V1PodStatus
            {
                Phase = phase,
                Reason = reason,
                ContainerStatuses = containers,
                InitContainerStatuses = init,
                Conditions = conditions.Select(c => new V1PodCondition { Type = c.Type, Status = c.Status, Reason = c.Reason }).ToList(),
            },
        };
    }

    public static TheoryData<string, V1Pod, string, string, string> Cases => new()
    {
        { "running", Pod("Running", [Running("app")]), "1/1", "Running", "0" },
        { "running, not ready", Pod("Running", [Running("app", ready: false)]), "0/1", "Running", "0" },
        { "pending, no statuses yet", Pod("Pending"), "0/1", "Pending", "0" },
        { "container creating", Pod("Pending", [Waiting("app", "ContainerCreating")]), "0/1", "ContainerCreating", "0" },
        { "image pull backoff", Pod("Pending", [Waiting("app", "ImagePullBackOff")]), "0/1", "ImagePullBackOff", "0" },
        { "crash loop", Pod("Running", [Waiting("app", "CrashLoopBackOff", restarts: 5, lastFinished: Ago(5))]), "0/1", "CrashLoopBackOff", "5 (5m ago)" },
        { "restarts without a finish time", Pod("Running", [Running("app", restarts: 4)]), "1/1", "Running", "4" },
        { "completed", Pod("Succeeded", [Terminated("app", 0, "Completed")]), "0/1", "Completed", "0" },
        { "error", Pod("Failed", [Terminated("app", 1, "Error")]), "0/1", "Error", "0" },
        { "oom killed", Pod("Running", [Terminated("app", 137, "OOMKilled", restarts: 2)]), "0/1", "OOMKilled", "2" },
        { "exit code without reason", Pod("Failed", [Terminated("app", 137)]), "0/1", "ExitCode:137", "0" },
        { "signal without reason", Pod("Failed", [Terminated("app", 0, signal: 9)]), "0/1", "Signal:9", "0" },
        { "first container in the list wins", Pod("Running", [Waiting("a", "ImagePullBackOff"), Waiting("b", "ContainerCreating")]), "0/2", "ImagePullBackOff", "0" },
        { "one of two ready", Pod("Running", [Waiting("a", "ErrImagePull"), Running("b")]), "1/2", "ErrImagePull", "0" },
        { "completed with a running container, ready", Pod("Running", [Running("a"), Terminated("b", 0, "Completed")], conditions: [("Ready", "True", null)]), "1/2", "Running", "0" },
        { "completed with a running container, not ready", Pod("Running", [Running("a"), Terminated("b", 0, "Completed")]), "1/2", "NotReady", "0" },
        { "init running", Pod("Pending", [Waiting("app", "PodInitializing")], init: [Running("init", ready: false)]), "0/1", "Init:0/1", "0" },
        { "init pod initializing", Pod("Pending", [Waiting("app", "PodInitializing")], init: [Waiting("init", "PodInitializing")]), "0/1", "Init:0/1", "0" },
        { "second init running", Pod("Pending", [Waiting("app", "PodInitializing")], init: [Terminated("i1", 0, "Completed"), Running("i2", ready: false)]), "0/1", "Init:1/2", "0" },
        { "init crash loop", Pod("Pending", [Waiting("app", "PodInitializing")], init: [Waiting("init", "CrashLoopBackOff", restarts: 3, lastFinished: Ago(2))]), "0/1", "Init:CrashLoopBackOff", "3 (2m ago)" },
        { "init error", Pod("Pending", [Waiting("app", "PodInitializing")], init: [Terminated("init", 1, "Error")]), "0/1", "Init:Error", "0" },
        { "init exit code", Pod("Pending", [], init: [Terminated("init", 2)]), "0/1", "Init:ExitCode:2", "0" },
        { "init signal", Pod("Pending", [], init: [Terminated("init", 1, signal: 15)]), "0/1", "Init:Signal:15", "0" },
        { "init image pull", Pod("Pending", [], init: [Waiting("init", "ImagePullBackOff")]), "0/1", "Init:ImagePullBackOff", "0" },
        { "init restarts reset once initialized", Pod("Running", [Running("app")], init: [Terminated("init", 0, "Completed", restarts: 2)]), "1/1", "Running", "0" },
        { "initializing but Initialized condition true", Pod("Running", [Running("app")], init: [Running("init", ready: false)], conditions: [("Initialized", "True", null)]), "1/1", "Init:0/1", "0" },
        { "Initialized condition lets container reasons through", Pod("Running", [Waiting("app", "CrashLoopBackOff")], init: [Running("init", ready: false)], conditions: [("Initialized", "True", null)]), "0/1", "CrashLoopBackOff", "0" },
        { "terminating", Pod("Running", [Running("app")], deleting: true), "1/1", "Terminating", "0" },
        { "node lost", Pod("Running", [Running("app")], reason: "NodeLost", deleting: true), "1/1", "Unknown", "0" },
        { "deleting a completed pod", Pod("Succeeded", [Terminated("app", 0, "Completed")], deleting: true), "0/1", "Completed", "0" },
        { "evicted", Pod("Failed", reason: "Evicted"), "0/1", "Evicted", "0" },
        { "scheduling gated", Pod("Pending", conditions: [("PodScheduled", "False", "SchedulingGated")]), "0/1", "SchedulingGated", "0" },
        { "unschedulable stays pending", Pod("Pending", conditions: [("PodScheduled", "False", "Unschedulable")]), "0/1", "Pending", "0" },
        {
            "sidecar started and ready",
            Pod("Running", [Running("app", restarts: 1, lastFinished: Ago(3))], init: [Running("proxy", restarts: 2, lastFinished: Ago(10))], sidecars: ["proxy"]),
            "2/2", "Running", "3 (3m ago)"
        },
        {
            "sidecar not started yet",
            Pod("Pending", [Waiting("app", "PodInitializing")], init: [Running("proxy", ready: false)], sidecars: ["proxy"]),
            "0/2", "Init:0/1", "0"
        },
        {
            "sidecar then init container",
            Pod("Pending", [Waiting("app", "PodInitializing")], init: [Running("proxy"), Running("migrate", ready: false)], sidecars: ["proxy"]),
            "1/2", "Init:1/2", "0"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ready_status_and_restarts(string description, V1Pod pod, string ready, string status, string restarts)
    {
        // Sidecars count as started once they run.
        foreach (var s in pod.Status.InitContainerStatuses)
        {
            s.Started = s.State.Running != null && pod.Spec.InitContainers.Any(c => c.Name == s.Name && c.RestartPolicy == "Always") && s.Ready;
        }
        var row = Row("", "Pod", pod);
        Assert.True((ready, status, restarts) == ((string)row[1]!, (string)row[2]!, (string)row[3]!),
            $"{description}: expected {ready} {status} {restarts}, got {row[1]} {row[2]} {row[3]}");
    }

    [Fact]
    public void Columns_match_upstream()
    {
        Assert.Equal("Name|Ready|Status|Restarts|Age|IP*|Node*|Nominated Node*|Readiness Gates*", Header("", "Pod"));
        var columns = TablePrinters.For("", "Pod").Columns;
        Assert.Equal("name", columns[0].Format);
        Assert.All(columns, c => Assert.Equal("string", c.Type));
        Assert.All(columns.Skip(1), c => Assert.Equal("", c.Format));
    }

    [Fact]
    public void Wide_cells()
    {
        var pod = Pod("Running", [Running("app")]);
        pod.Status.PodIPs = [new V1PodIP { Ip = "10.1.0.5" }, new V1PodIP { Ip = "fd00::5" }];
        pod.Spec.NodeName = "node-1";
        pod.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "a" }, new V1PodReadinessGate { ConditionType = "b" }];
        pod.Status.Conditions = [new V1PodCondition { Type = "a", Status = "True" }, new V1PodCondition { Type = "b", Status = "False" }, new V1PodCondition { Type = "b", Status = "True" }];
        Assert.Equal(["p", "1/1", "Running", "0", "30m", "10.1.0.5", "node-1", "<none>", "1/2"], Row("", "Pod", pod));

        var bare = Pod("Pending");
        Assert.Equal(["p", "0/1", "Pending", "0", "30m", "<none>", "<none>", "<none>", "<none>"], Row("", "Pod", bare));
    }

    [Fact]
    public void Finished_pods_carry_a_completed_row_condition()
    {
        var printer = TablePrinters.For("", "Pod");
        Assert.Equal([new TableRowCondition("Completed", "True", "Succeeded", "The pod has completed successfully.")],
            printer.Conditions(Pod("Succeeded", [Terminated("app", 0, "Completed")])));
        Assert.Equal([new TableRowCondition("Completed", "True", "Failed", "The pod failed.")],
            printer.Conditions(Pod("Failed", [Terminated("app", 1, "Error")])));
        Assert.Null(printer.Conditions(Pod("Running", [Running("app")])));
    }
}
