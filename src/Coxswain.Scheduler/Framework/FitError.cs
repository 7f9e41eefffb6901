using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>Per-node filter statuses of one cycle (upstream's NodeToStatus); absent nodes share <see cref="AbsentNodesStatus"/>.</summary>
public sealed class NodeToStatus
{
    public Dictionary<string, Status> Statuses { get; } = new(StringComparer.Ordinal);
    /// <summary>Status of nodes not in the map (set when PreFilter rejected every node).</summary>
    public Status AbsentNodesStatus { get; set; } = Status.Ok;

    public Status Get(string node) => Statuses.TryGetValue(node, out var s) ? s : AbsentNodesStatus;
    public void Set(string node, Status s) => Statuses[node] = s;
    public int Count => Statuses.Count;
}

/// <summary>Why scheduling failed, for the PodScheduled=False condition and the FailedScheduling event.</summary>
public sealed class Diagnosis
{
    public NodeToStatus NodeToStatus { get; } = new();
    public string PreFilterMsg { get; set; } = "";
    public string PostFilterMsg { get; set; } = "";
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);
}

/// <summary>Upstream's framework.FitError; <see cref="Message"/> formats exactly as FitError.Error().</summary>
public sealed class FitError(V1Pod pod, int numAllNodes, Diagnosis diagnosis)
{
    public const string NoNodeAvailableMsg = "0/{0} nodes are available";

    public V1Pod Pod { get; } = pod;
    public int NumAllNodes { get; } = numAllNodes;
    public Diagnosis Diagnosis { get; } = diagnosis;

    public string Message
    {
        get
        {
            var msg = string.Format(System.Globalization.CultureInfo.InvariantCulture, NoNodeAvailableMsg + ":", NumAllNodes);
            if (Diagnosis.PreFilterMsg != "")
            {
                // The PreFilter reason was stamped on every node; listing the nodes again would repeat it.
                msg += " " + Diagnosis.PreFilterMsg + ".";
            }
            else
            {
                var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var s in Diagnosis.NodeToStatus.Statuses.Values)
                    foreach (var r in s.Reasons) histogram[r] = histogram.GetValueOrDefault(r) + 1;
                var absent = NumAllNodes - Diagnosis.NodeToStatus.Count;
                if (absent > 0)
                    foreach (var r in Diagnosis.NodeToStatus.AbsentNodesStatus.Reasons)
                        histogram[r] = histogram.GetValueOrDefault(r) + absent;
                var parts = new List<string>(histogram.Count);
                foreach (var (r, n) in histogram) parts.Add($"{n} {r}");
                // Go's sort.Strings: byte order, count prefix included.
                parts.Sort(StringComparer.Ordinal);
                if (parts.Count > 0) msg += " " + string.Join(", ", parts) + ".";
            }
            if (Diagnosis.PostFilterMsg != "") msg += " " + Diagnosis.PostFilterMsg + ".";
            return msg;
        }
    }

    public override string ToString() => Message;
}
