using k8s;
using k8s.Models;

namespace Coxswain.Scheduler.Tests.Integration;

/// <summary>
/// Shared by the scheduler integration tests: nodes made by hand (capacity set through nodes/status), pod builders,
/// and poll-until helpers with a generous timeout (no timing asserts). Import with <c>using static</c>.
/// </summary>
internal static class ClusterHelpers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public const string Hostname = "kubernetes.io/hostname";
    public const string Zone = "topology.kubernetes.io/zone";

    /// <summary>A Ready node with cpu/memory/pods capacity (= allocatable); labels include kubernetes.io/hostname as a kubelet sets it.</summary>
    public static async Task CreateNodeAsync(Kubernetes c, string name, string cpu = "1", string memory = "4Gi",
        IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null)
    {
        await CreateBareNodeAsync(c, name, labels, taints);
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110"),
        };
        await SetNodeStatusAsync(c, name, resources);
    }

    /// <summary>A node object with no status at all (what exists before a kubelet reports).</summary>
    public static async Task CreateBareNodeAsync(Kubernetes c, string name, IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null)
    {
        var all = new Dictionary<string, string>(labels ?? new Dictionary<string, string>());
        all.TryAdd(Hostname, name);
        await c.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = all },
            Spec = new V1NodeSpec { Taints = taints },
        });
    }

    /// <summary>Writes a Ready condition and the given capacity (= allocatable; null leaves both out) through nodes/status.</summary>
    public static async Task SetNodeStatusAsync(Kubernetes c, string name, IDictionary<string, ResourceQuantity>? resources)
    {
        // The nodeipam controller patches a new node's podCIDR meanwhile: a conflict means read it again.
        for (var attempt = 0; ; attempt++)
        {
            var node = await c.CoreV1.ReadNodeAsync(name);
            node.Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }],
            };
            try
            {
                await c.CoreV1.ReplaceNodeStatusAsync(node, name);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 5)
            {
            }
        }
    }

    public static V1Pod Pod(string name, string cpu = "100m", string? schedulerName = null,
        IDictionary<string, string>? nodeSelector = null, IList<V1Toleration>? tolerations = null,
        IDictionary<string, string>? labels = null, V1Affinity? affinity = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            SchedulerName = schedulerName,
            NodeSelector = nodeSelector,
            Tolerations = tolerations,
            Affinity = affinity,
            Containers =
            [
                new V1Container
                {
                    Name = "c", Image = "busybox",
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
                },
            ],
        },
    };

    public static V1LabelSelector MatchLabels(string key, string value) => new() { MatchLabels = new Dictionary<string, string> { [key] = value } };

    public static async Task<V1Pod> CreatePodAsync(Kubernetes c, V1Pod pod) => await c.CoreV1.CreateNamespacedPodAsync(pod, "default");

    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } v) return v;
            await Task.Delay(200);
        }
        throw new TimeoutException("timed out waiting for " + what);
    }

    public static Task<V1Pod> WaitBoundAsync(Kubernetes c, string name) => WaitForAsync(async () =>
    {
        var p = await c.CoreV1.ReadNamespacedPodAsync(name, "default");
        return string.IsNullOrEmpty(p.Spec.NodeName) ? null : p;
    }, $"pod {name} bound");

    /// <summary>Waits for PodScheduled=False (the scheduler tried and failed) and returns the condition.</summary>
    public static Task<V1PodCondition> WaitUnschedulableAsync(Kubernetes c, string name) => WaitForAsync(async () =>
    {
        var p = await c.CoreV1.ReadNamespacedPodAsync(name, "default");
        return p.Status?.Conditions?.FirstOrDefault(x => x is { Type: "PodScheduled", Status: "False" });
    }, $"pod {name} unschedulable");

    public static Task<Corev1Event> WaitEventAsync(Kubernetes c, string pod, string reason) => WaitForAsync(async () =>
    {
        var events = await c.CoreV1.ListNamespacedEventAsync("default");
        return events.Items.FirstOrDefault(e => e.InvolvedObject?.Name == pod && e.Reason == reason);
    }, $"event {reason} for {pod}");
}
