using Coxswain.Scheduler.Framework;
using Coxswain.Scheduler.Plugins;
using k8s.Models;

namespace Coxswain.Scheduler.Tests.Plugins;

/// <summary>Cases from upstream's podtopologyspread scoring_test.go (math.Round version), same inputs and expected scores.</summary>
public class PodTopologySpreadUpstreamScoreTests
{
    // node spec "name:zone" (zone may be empty); pod spec "node:labels" with labels "foo", "bar" or "foo+bar".
    public static TheoryData<string, int, string[], string[], string[], string> Cases => new()
    {
        // name, maxSkew (hostname constraint, or zone when nodes have zones), candidate nodes, failed nodes, existing pods, want
        { "one constraint on node, maxSkew=2, spread 2/1/0/3", 2, ["node-a:", "node-b:", "node-c:", "node-d:"], [],
            ["node-a:foo", "node-a:foo", "node-b:foo", "node-d:foo", "node-d:foo", "node-d:foo"], "33,66,100,16" },
        { "one constraint on node, maxSkew=3, spread 4/3/2/1", 3, ["node-a:", "node-b:", "node-c:", "node-d:"], [],
            ["node-a:foo", "node-a:foo", "node-a:foo", "node-a:foo", "node-b:foo", "node-b:foo", "node-b:foo", "node-c:foo", "node-c:foo", "node-d:foo"],
            "44,66,77,100" },
        { "one constraint on node, 3 out of 4 nodes are candidates", 1, ["node-a:", "node-b:", "node-x:"], ["node-y:"],
            ["node-a:foo", "node-a:foo", "node-a:foo", "node-a:foo", "node-b:foo", "node-b:foo", "node-x:foo", "node-y:foo", "node-y:foo", "node-y:foo"],
            "33,83,100" },
        { "one constraint on zone, 3 out of 4 nodes are candidates", 1, ["node-a:zone1", "node-b:zone1", "node-x:zone2"], ["node-y:zone2"],
            ["node-a:foo", "node-a:foo", "node-a:foo", "node-a:foo", "node-b:foo", "node-b:foo", "node-x:foo", "node-y:foo", "node-y:foo", "node-y:foo"],
            "75,75,100" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scores_match_upstream(string name, int maxSkew, string[] nodes, string[] failed, string[] pods, string want)
    {
        _ = name;
        var all = nodes.Concat(failed).Select(Node).ToList();
        var snap = new Snapshot(all);
        var i = 0;
        foreach (var p in pods)
        {
            var (node, labels) = Split(p);
            snap.AddPod(B.Pod($"p{i++}", labels: labels.Split('+').ToDictionary(l => l, _ => ""), nodeName: node));
        }
        var zoned = nodes.Any(n => !n.EndsWith(':'));
        var pod = B.Pod("p", labels: B.L("foo", ""));
        pod.Spec.TopologySpreadConstraints = [Constraint(maxSkew, zoned ? "zone" : "kubernetes.io/hostname", "foo")];
        var feasible = nodes.Select(n => snap.Get(Split(n).Name)!).ToList();
        var scores = B.Score(new PodTopologySpread(), pod, snap, feasible);
        Assert.Equal(want, string.Join(",", feasible.Select(n => scores[n.Name])));
    }

    [Fact]
    public void Two_constraints_on_zone_and_node_2_of_4_candidates()
    {
        var snap = new Snapshot(new[] { "node-a:zone1", "node-b:zone1", "node-x:zone2", "node-y:zone2" }.Select(Node));
        var i = 0;
        foreach (var n in new[] { "node-a", "node-a", "node-b", "node-x", "node-x", "node-y", "node-y", "node-y", "node-y" })
            snap.AddPod(B.Pod($"p{i++}", labels: B.L("foo", ""), nodeName: n));
        var pod = B.Pod("p", labels: B.L("foo", ""));
        pod.Spec.TopologySpreadConstraints = [Constraint(1, "zone", "foo"), Constraint(1, "kubernetes.io/hostname", "foo")];
        var s = B.Score(new PodTopologySpread(), pod, snap, [snap.Get("node-a")!, snap.Get("node-x")!]);
        Assert.Equal(100, s["node-a"]);
        Assert.Equal(63, s["node-x"]);
    }

    [Fact]
    public void Two_constraints_with_different_selectors()
    {
        var snap = new Snapshot(new[] { "node-a:zone1", "node-b:zone1", "node-x:zone2", "node-y:zone2" }.Select(Node));
        snap.AddPod(B.Pod("a1", labels: B.L("foo", ""), nodeName: "node-a"));
        snap.AddPod(B.Pod("b1", labels: B.L("foo", "", "bar", ""), nodeName: "node-b"));
        snap.AddPod(B.Pod("y1", labels: B.L("foo", ""), nodeName: "node-y"));
        snap.AddPod(B.Pod("y2", labels: B.L("bar", ""), nodeName: "node-y"));
        var pod = B.Pod("p", labels: B.L("foo", "", "bar", ""));
        pod.Spec.TopologySpreadConstraints = [Constraint(1, "zone", "foo"), Constraint(1, "kubernetes.io/hostname", "bar")];
        var s = B.Score(new PodTopologySpread(), pod, snap);
        Assert.Equal([60L, 20, 100, 60], new[] { s["node-a"], s["node-b"], s["node-x"], s["node-y"] });
    }

    private static V1TopologySpreadConstraint Constraint(int maxSkew, string key, string existsLabel) => new()
    {
        MaxSkew = maxSkew, TopologyKey = key, WhenUnsatisfiable = "ScheduleAnyway",
        LabelSelector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = existsLabel, OperatorProperty = "Exists" }] },
    };

    private static (string Name, string Value) Split(string s)
    {
        var i = s.IndexOf(':');
        return (s[..i], s[(i + 1)..]);
    }

    private static V1Node Node(string spec)
    {
        var (name, zone) = Split(spec);
        return B.Node(name, labels: zone == "" ? null : B.L("zone", zone));
    }
}
