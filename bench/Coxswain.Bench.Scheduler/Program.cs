// Micro-benchmark of the scheduling algorithm alone (no API I/O): builds a snapshot of N nodes,
// schedules M pods one after another with the default profile, assuming each placed pod into the
// snapshot, and prints pods/s. Usage: dotnet run -c Release --project bench/Coxswain.Bench.Scheduler -- [nodes] [pods]
using System.Diagnostics;
using Coxswain.Scheduler;
using Coxswain.Scheduler.Framework;
using k8s.Models;

var nodes = args.Length > 0 ? int.Parse(args[0]) : 5000;
var pods = args.Length > 1 ? int.Parse(args[1]) : 30000;

var snapshot = new Snapshot();
for (var i = 0; i < nodes; i++)
{
    snapshot.AddOrUpdateNode(new V1Node
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"node-{i}",
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/hostname"] = $"node-{i}",
                ["topology.kubernetes.io/zone"] = $"zone-{i % 3}",
            },
        },
        Spec = new V1NodeSpec(),
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new("32"), ["memory"] = new("128Gi"), ["pods"] = new("110"), ["ephemeral-storage"] = new("100Gi"),
            },
        },
    });
}

// Pods are created up front so the loop measures scheduling, not object construction.
var podList = new V1Pod[pods];
for (var i = 0; i < pods; i++)
{
    podList[i] = new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = $"pod-{i}", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = $"app-{i % 50}" } },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "c", Image = "registry.k8s.io/pause:3.10",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
                    },
                },
            ],
        },
        Status = new V1PodStatus(),
    };
}

var algorithm = new SchedulingAlgorithm(Registry.DefaultProfile(), new Random(42));
// Warm up the JIT on a throwaway snapshot-sized run of a few pods (not assumed).
for (var i = 0; i < 200; i++) algorithm.Schedule(podList[i], snapshot);

var failed = 0;
var gc0 = GC.CollectionCount(0);
var alloc0 = GC.GetTotalAllocatedBytes();
var sw = Stopwatch.StartNew();
for (var i = 0; i < pods; i++)
{
    var r = algorithm.Schedule(podList[i], snapshot);
    if (r.SuggestedHost == null)
    {
        failed++;
        continue;
    }
    snapshot.AddPod(r.PodInfo, r.SuggestedHost);
}
sw.Stop();

Console.WriteLine($"nodes={nodes} pods={pods} scheduled={pods - failed} failed={failed}");
Console.WriteLine($"elapsed={sw.Elapsed.TotalSeconds:F2}s throughput={pods / sw.Elapsed.TotalSeconds:F0} pods/s");
Console.WriteLine($"allocated={(GC.GetTotalAllocatedBytes() - alloc0) / pods} B/pod gen0={GC.CollectionCount(0) - gc0}");
