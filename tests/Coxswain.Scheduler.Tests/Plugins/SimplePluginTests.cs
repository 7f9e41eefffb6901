using Coxswain.Scheduler.Framework;
using Coxswain.Scheduler.Plugins;
using k8s.Models;

namespace Coxswain.Scheduler.Tests.Plugins;

public class SimplePluginTests
{
    [Fact]
    public void NodeName_rejects_other_nodes()
    {
        var snap = new Snapshot([B.Node("a"), B.Node("b")]);
        var r = B.Filter(new NodeName(), B.Pod("p", nodeName: "b"), snap);
        Assert.Equal("node(s) didn't match the requested node name", r["a"].Message);
        Assert.Equal(Code.UnschedulableAndUnresolvable, r["a"].Code);
        Assert.True(r["b"].IsSuccess);
    }

    [Fact]
    public void NodeUnschedulable_respects_toleration()
    {
        var snap = new Snapshot([B.Node("a", unschedulable: true)]);
        var pod = B.Pod("p");
        Assert.Equal("node(s) were unschedulable", B.Filter(new NodeUnschedulable(), pod, snap)["a"].Message);
        pod.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        Assert.True(B.Filter(new NodeUnschedulable(), pod, snap)["a"].IsSuccess);
    }

    [Fact]
    public void TaintToleration_filter_names_the_taint()
    {
        var cp = new V1Taint { Key = "node-role.kubernetes.io/control-plane", Effect = "NoSchedule" };
        var snap = new Snapshot([B.Node("cp", taints: [cp]), B.Node("w", taints: [new V1Taint { Key = "soft", Effect = "PreferNoSchedule" }])]);
        var r = B.Filter(new TaintToleration(), B.Pod("p"), snap);
        Assert.Equal("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", r["cp"].Message);
        Assert.True(r["w"].IsSuccess);
        var tolerating = B.Pod("t");
        tolerating.Spec.Tolerations = [new V1Toleration { Key = "node-role.kubernetes.io/control-plane", OperatorProperty = "Exists" }];
        Assert.True(B.Filter(new TaintToleration(), tolerating, snap)["cp"].IsSuccess);
    }

    [Fact]
    public void TaintToleration_scores_fewer_prefer_no_schedule_taints_higher()
    {
        V1Taint T(string k) => new() { Key = k, Value = "v", Effect = "PreferNoSchedule" };
        var snap = new Snapshot([B.Node("zero"), B.Node("one", taints: [T("a")]), B.Node("two", taints: [T("a"), T("b")])]);
        var s = B.Score(new TaintToleration(), B.Pod("p"), snap);
        Assert.Equal(100, s["zero"]);
        Assert.Equal(50, s["one"]);
        Assert.Equal(0, s["two"]);
        var tol = B.Pod("t");
        tol.Spec.Tolerations = [new V1Toleration { Key = "a", OperatorProperty = "Equal", Value = "v", Effect = "PreferNoSchedule" }];
        s = B.Score(new TaintToleration(), tol, snap);
        Assert.Equal([100, 100, 0], new[] { s["zero"], s["one"], s["two"] });
    }

    public static TheoryData<string, string[], string, bool> Operators => new()
    {
        { "In", ["a", "b"], "a", true },
        { "In", ["b"], "a", false },
        { "NotIn", ["b"], "a", true },
        { "NotIn", ["a"], "a", false },
        { "Exists", [], "a", true },
        { "DoesNotExist", [], "a", false },
        { "Gt", ["5"], "6", true },
        { "Gt", ["6"], "6", false },
        { "Lt", ["7"], "6", true },
        { "Lt", ["x"], "6", false },
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public void NodeAffinity_operators(string op, string[] values, string nodeValue, bool fits)
    {
        var snap = new Snapshot([B.Node("n", labels: B.L("k", nodeValue))]);
        var pod = B.Pod("p");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [B.Req("k", op, values)] }],
                },
            },
        };
        var s = B.Filter(new NodeAffinity(), pod, snap)["n"];
        Assert.Equal(fits, s.IsSuccess);
        if (!fits) Assert.Equal("node(s) didn't match Pod's node affinity/selector", s.Message);
    }

    [Fact]
    public void NodeAffinity_nodeSelector_and_matchFields()
    {
        var snap = new Snapshot([B.Node("a", labels: B.L("disk", "ssd")), B.Node("b")]);
        var pod = B.Pod("p");
        pod.Spec.NodeSelector = B.L("disk", "ssd");
        var r = B.Filter(new NodeAffinity(), pod, snap);
        Assert.True(r["a"].IsSuccess);
        Assert.False(r["b"].IsSuccess);

        var byName = B.Pod("q");
        byName.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchFields = [B.Req("metadata.name", "In", "b")] }],
                },
            },
        };
        r = B.Filter(new NodeAffinity(), byName, snap);
        Assert.False(r["a"].IsSuccess);
        Assert.True(r["b"].IsSuccess);
    }

    [Fact]
    public void NodeAffinity_preferred_weights_normalized()
    {
        var snap = new Snapshot([B.Node("a", labels: B.L("x", "1", "y", "1")), B.Node("b", labels: B.L("x", "1")), B.Node("c")]);
        var pod = B.Pod("p");
        V1PreferredSchedulingTerm Pref(string k, int w) =>
            new() { Preference = new V1NodeSelectorTerm { MatchExpressions = [B.Req(k, "Exists")] }, Weight = w };
        pod.Spec.Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Pref("x", 2), Pref("y", 6)] } };
        var s = B.Score(new NodeAffinity(), pod, snap);
        Assert.Equal(100, s["a"]);
        Assert.Equal(25, s["b"]);
        Assert.Equal(0, s["c"]);
    }

    [Theory]
    [InlineData("0.0.0.0", "TCP", 80, "0.0.0.0", "TCP", 80, false)]
    [InlineData("127.0.0.1", "TCP", 80, "0.0.0.0", "TCP", 80, false)]
    [InlineData("127.0.0.1", "TCP", 80, "127.0.0.2", "TCP", 80, true)]
    [InlineData("0.0.0.0", "UDP", 80, "0.0.0.0", "TCP", 80, true)]
    [InlineData("0.0.0.0", "TCP", 81, "0.0.0.0", "TCP", 80, true)]
    public void NodePorts_conflicts(string usedIp, string usedProto, int usedPort, string ip, string proto, int port, bool fits)
    {
        var snap = new Snapshot([B.Node("n")]);
        var existing = B.Pod("e", nodeName: "n");
        existing.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 1, HostPort = usedPort, HostIP = usedIp, Protocol = usedProto }];
        snap.AddPod(existing);
        var pod = B.Pod("p");
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 1, HostPort = port, HostIP = ip, Protocol = proto }];
        var s = B.Filter(new NodePorts(), pod, snap)["n"];
        Assert.Equal(fits, s.IsSuccess);
        if (!fits) Assert.Equal("node(s) didn't have free ports for the requested pod ports", s.Message);
    }
}
