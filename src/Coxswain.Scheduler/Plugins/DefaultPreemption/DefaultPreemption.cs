using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>
/// PostFilter that finds a node where evicting lower-priority pods lets the pod fit, as upstream's
/// DefaultPreemption: minimal victims by reprieving the most important pods first, node chosen by
/// fewest/lowest victims. PodDisruptionBudgets and other pods' nominations are not considered yet.
/// The caller deletes <see cref="PostFilterResult.Victims"/> and sets status.nominatedNodeName.
/// </summary>
public sealed class DefaultPreemption : IPostFilterPlugin
{
    public const string PluginName = "DefaultPreemption";
    public const string ErrReasonNotHelpful = "Preemption is not helpful for scheduling";
    public const string ErrReasonNoVictims = "No preemption victims found for incoming pod";
    /// <summary>upstream's MinCandidateNodesPercentage / MinCandidateNodesAbsolute defaults.</summary>
    public int MinCandidateNodesPercentage { get; init; } = 10;
    public int MinCandidateNodesAbsolute { get; init; } = 100;
    public string Name => PluginName;

    /// <summary>The profile whose Filter plugins the dry runs use; set by the registry.</summary>
    public Profile? Profile { get; set; }
    private readonly Random _random = new();

    private sealed record Candidate(NodeInfo Node, List<PodInfo> Victims);

    public PostFilterResult PostFilter(CycleState state, V1Pod pod, Snapshot snapshot, NodeToStatus filteredNodeStatuses)
    {
        if (Profile == null) return PostFilterResult.Failed(Status.AsError("DefaultPreemption has no profile"));
        if (pod.Spec?.PreemptionPolicy == "Never")
            return Fail(Code.Unschedulable, "not eligible due to preemptionPolicy=Never.");
        var priority = pod.Spec?.Priority ?? 0;
        var nominated = pod.Status?.NominatedNodeName;
        if (!string.IsNullOrEmpty(nominated) && filteredNodeStatuses.Get(nominated).Code != Code.UnschedulableAndUnresolvable
            && snapshot.Get(nominated) is { } nn)
        {
            // Wait for victims of an earlier preemption to go away instead of preempting again.
            foreach (var p in nn.Pods)
                if (p.Pod.Metadata?.DeletionTimestamp != null && p.Priority < priority)
                    return Fail(Code.Unschedulable, "not eligible due to a terminating pod on the nominated node.");
        }

        var statuses = new NodeToStatus();
        var potential = new List<NodeInfo>();
        foreach (var n in snapshot.Nodes)
        {
            // Only nodes that failed with plain Unschedulable can be helped by removing pods.
            if (filteredNodeStatuses.Get(n.Name).Code == Code.Unschedulable) potential.Add(n);
        }

        var candidates = new List<Candidate>();
        if (potential.Count > 0)
        {
            var numCandidates = Math.Min(potential.Count, Math.Max(potential.Count * MinCandidateNodesPercentage / 100, MinCandidateNodesAbsolute));
            var offset = _random.Next(potential.Count);
            for (var i = 0; i < potential.Count && candidates.Count < numCandidates; i++)
            {
                var node = potential[(offset + i) % potential.Count];
                var victims = SelectVictimsOnNode(state.Clone(), pod, node.Clone(), priority, out var st);
                if (victims is { Count: > 0 }) candidates.Add(new Candidate(node, victims));
                else statuses.Set(node.Name, victims == null ? st : Status.AsError($"expected at least one victim pod on node \"{node.Name}\""));
            }
        }

        if (candidates.Count == 0)
        {
            var fe = new FitError(pod, snapshot.Count, DiagnosisOf(statuses));
            return Fail(Code.Unschedulable, fe.Message);
        }
        var best = PickOne(candidates);
        var pods = new List<V1Pod>(best.Victims.Count);
        foreach (var v in best.Victims) pods.Add(v.Pod);
        return new PostFilterResult(Status.Ok, best.Node.Name, pods);
    }

    private static Diagnosis DiagnosisOf(NodeToStatus statuses)
    {
        var d = new Diagnosis();
        d.NodeToStatus.AbsentNodesStatus = Status.Unresolvable(ErrReasonNotHelpful);
        foreach (var (k, v) in statuses.Statuses) d.NodeToStatus.Set(k, v);
        return d;
    }

    private static PostFilterResult Fail(Code code, string msg) =>
        PostFilterResult.Failed(new Status(code, "preemption: " + msg));

    /// <summary>
    /// Removes every lower-priority pod; if the pod then fits, adds them back most important first and
    /// keeps as victims only those whose return would make the pod not fit. Null with a status if impossible.
    /// </summary>
    private List<PodInfo>? SelectVictimsOnNode(CycleState state, V1Pod pod, NodeInfo node, int priority, out Status status)
    {
        var potential = new List<PodInfo>();
        foreach (var p in node.Pods.ToArray())
        {
            if (p.Priority >= priority) continue;
            potential.Add(p);
            Remove(state, pod, p, node);
        }
        if (potential.Count == 0)
        {
            status = Status.Unresolvable(ErrReasonNoVictims);
            return null;
        }
        status = SchedulingAlgorithm.RunFilters(Profile!, state, pod, node);
        if (!status.IsSuccess) return null;

        potential.Sort((a, b) => MoreImportant(a, b) ? -1 : MoreImportant(b, a) ? 1 : 0);
        var victims = new List<PodInfo>();
        foreach (var p in potential)
        {
            Add(state, pod, p, node);
            if (!SchedulingAlgorithm.RunFilters(Profile!, state, pod, node).IsSuccess)
            {
                Remove(state, pod, p, node);
                victims.Add(p);
            }
        }
        status = Status.Ok;
        return victims;
    }

    private void Remove(CycleState state, V1Pod pod, PodInfo p, NodeInfo node)
    {
        node.RemovePod(p.Pod);
        foreach (var pf in Profile!.PreFilter) pf.Extensions?.RemovePod(state, pod, p, node);
    }

    private void Add(CycleState state, V1Pod pod, PodInfo p, NodeInfo node)
    {
        node.AddPod(p);
        foreach (var pf in Profile!.PreFilter) pf.Extensions?.AddPod(state, pod, p, node);
    }

    /// <summary>Upstream's MoreImportantPod: higher priority, then earlier start.</summary>
    private static bool MoreImportant(PodInfo a, PodInfo b) =>
        a.Priority != b.Priority ? a.Priority > b.Priority : StartTime(a) < StartTime(b);

    private static DateTime StartTime(PodInfo p) => p.Pod.Status?.StartTime ?? DateTime.UtcNow;

    /// <summary>
    /// Upstream's pickOneNodeForPreemption (PDB criterion dropped): lowest highest-victim priority, lowest priority sum, fewest victims, latest start of the
    /// highest-priority victims; first candidate on a full tie.
    /// </summary>
    private static Candidate PickOne(List<Candidate> candidates)
    {
        Func<Candidate, long>[] criteria =
        [
            c => -(long)c.Victims[0].Priority,
            c =>
            {
                long sum = 0;
                foreach (var v in c.Victims) sum += v.Priority + (long)int.MaxValue + 1;
                return -sum;
            },
            c => -(long)c.Victims.Count,
            c =>
            {
                var top = c.Victims[0].Priority;
                var earliest = DateTime.MaxValue;
                foreach (var v in c.Victims)
                    if (v.Priority == top && StartTime(v) < earliest) earliest = StartTime(v);
                return earliest.Ticks;
            },
        ];
        var remaining = candidates;
        foreach (var f in criteria)
        {
            var best = long.MinValue;
            var next = new List<Candidate>();
            foreach (var c in remaining)
            {
                var s = f(c);
                if (s > best)
                {
                    best = s;
                    next.Clear();
                }
                if (s == best) next.Add(c);
            }
            remaining = next;
            if (remaining.Count == 1) break;
        }
        return remaining[0];
    }
}
