using System.Text;
using k8s.Models;

namespace Coxswain.Api.Tests.Printing;

public class CorePrinterTests : PrinterTestBase
{
    private static V1Service Service(string type, params V1ServicePort[] ports) => new()
    {
        Metadata = Meta("web"),
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = "10.96.0.10",
            ClusterIPs = ["10.96.0.10", "fd00::10"],
            Ports = ports,
            Selector = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "fe" },
        },
    };

    private static V1ServicePort Port(int port, int? nodePort = null, string protocol = "TCP") => new() { Port = port, NodePort = nodePort, Protocol = protocol };

    [Fact]
    public void Service_rows()
    {
        Assert.Equal("Name|Type|Cluster-IP|External-IP|Port(s)|Age|Selector*", Header("", "Service"));
        Assert.Equal(["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "5m", "app=web,tier=fe"],
            Row("", "Service", Service("ClusterIP", Port(80), Port(53, protocol: "UDP"))));
        Assert.Equal("80:30080/TCP", Row("", "Service", Service("NodePort", Port(80, 30080)))[4]);

        var withExternal = Service("NodePort", Port(80, 30080));
        withExternal.Spec.ExternalIPs = ["1.2.3.4", "5.6.7.8"];
        Assert.Equal("1.2.3.4,5.6.7.8", Row("", "Service", withExternal)[3]);

        var headless = Service("ClusterIP");
        headless.Spec.ClusterIP = "None";
        headless.Spec.ClusterIPs = ["None"];
        headless.Spec.Selector = null;
        Assert.Equal(["web", "ClusterIP", "None", "<none>", "<none>", "5m", "<none>"], Row("", "Service", headless));

        var legacy = Service("ClusterIP", Port(80));
        legacy.Spec.ClusterIPs = null;
        Assert.Equal("10.96.0.10", Row("", "Service", legacy)[2]);

        var external = new V1Service { Metadata = Meta("db"), Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "db.example.com" } };
        Assert.Equal(["db", "ExternalName", "<none>", "db.example.com", "<none>", "5m", "<none>"], Row("", "Service", external));
    }

    [Fact]
    public void LoadBalancer_external_ip()
    {
        var lb = Service("LoadBalancer", Port(443, 31443));
        Assert.Equal("<pending>", Row("", "Service", lb)[3]);

        lb.Status = new V1ServiceStatus
        {
            LoadBalancer = new V1LoadBalancerStatus
            {
                Ingress = [new V1LoadBalancerIngress { Ip = "10.0.0.2" }, new V1LoadBalancerIngress { Hostname = "lb.example.com" }, new V1LoadBalancerIngress { Ip = "10.0.0.1", Hostname = "x" }, new V1LoadBalancerIngress { Ip = "10.0.0.2" }],
            },
        };
        Assert.Equal("10.0.0.1,10.0.0.2,lb.example.com", Row("", "Service", lb)[3]);
        lb.Spec.ExternalIPs = ["9.9.9.9"];
        Assert.Equal("10.0.0.1,10.0.0.2,lb.example.com,9.9.9.9", Row("", "Service", lb)[3]);

        var odd = Service("Weird");
        Assert.Equal("<unknown>", Row("", "Service", odd)[3]);
    }

    private static V1EndpointAddress Addr(string ip) => new() { Ip = ip };

    [Fact]
    public void Endpoints_rows()
    {
        Assert.Equal("Name|Endpoints|Age", Header("", "Endpoints"));
        var ep = new V1Endpoints
        {
            Metadata = Meta("web"),
            Subsets =
            [
                new V1EndpointSubset
                {
                    Addresses = [Addr("10.1.0.1"), Addr("fd00::2")],
                    NotReadyAddresses = [Addr("10.1.0.9")],
                    Ports = [new Corev1EndpointPort { Port = 8080 }],
                },
            ],
        };
        Assert.Equal(["web", "10.1.0.1:8080,[fd00::2]:8080", "5m"], Row("", "Endpoints", ep));

        ep.Subsets[0].Ports.Add(new Corev1EndpointPort { Port = 9090 });
        Assert.Equal("10.1.0.1:8080,[fd00::2]:8080,10.1.0.1:9090 + 1 more...", Row("", "Endpoints", ep)[1]);

        var headless = new V1Endpoints { Metadata = Meta("db"), Subsets = [new V1EndpointSubset { Addresses = [Addr("10.1.0.3"), Addr("10.1.0.4")] }] };
        Assert.Equal("10.1.0.3,10.1.0.4", Row("", "Endpoints", headless)[1]);

        Assert.Equal("<none>", Row("", "Endpoints", new V1Endpoints { Metadata = Meta("x") })[1]);
        Assert.Equal("", Row("", "Endpoints", new V1Endpoints { Metadata = Meta("x"), Subsets = [new V1EndpointSubset { NotReadyAddresses = [Addr("1.1.1.1")], Ports = [new Corev1EndpointPort { Port = 1 }] }] })[1]);
    }

    [Fact]
    public void EndpointSlice_rows()
    {
        Assert.Equal("Name|AddressType|Ports|Endpoints|Age", Header("discovery.k8s.io", "EndpointSlice"));
        var slice = new V1EndpointSlice
        {
            Metadata = Meta("web-abc"),
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Port = 80 }, new Discoveryv1EndpointPort { Name = "metrics" }, new Discoveryv1EndpointPort()],
            Endpoints = [new V1Endpoint { Addresses = ["10.1.0.1"] }, new V1Endpoint { Addresses = ["10.1.0.2", "10.1.0.3"], Conditions = new V1EndpointConditions { Ready = false } }, new V1Endpoint { Addresses = ["10.1.0.4"] }],
        };
        Assert.Equal(["web-abc", "IPv4", "80,metrics,*", "10.1.0.1,10.1.0.2,10.1.0.3 + 1 more...", "5m"], Row("discovery.k8s.io", "EndpointSlice", slice));
        Assert.Equal(["<unset>", "<unset>"], Row("discovery.k8s.io", "EndpointSlice", new V1EndpointSlice { Metadata = Meta("e"), AddressType = "IPv6" })[2..4]);
    }

    private static V1Node Node(string? ready, bool unschedulable = false, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "node-1", CreationTimestamp = Ago(60 * 24 * 10), Labels = labels },
        Spec = new V1NodeSpec { Unschedulable = unschedulable },
        Status = new V1NodeStatus
        {
            Conditions = ready == null ? [] : [new V1NodeCondition { Type = "MemoryPressure", Status = "False" }, new V1NodeCondition { Type = "Ready", Status = ready }],
            Addresses = [new V1NodeAddress { Type = "Hostname", Address = "node-1" }, new V1NodeAddress { Type = "InternalIP", Address = "192.168.1.10" }, new V1NodeAddress { Type = "InternalIP", Address = "192.168.1.11" }],
            NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.32.4", OsImage = "Ubuntu 24.04 LTS", KernelVersion = "6.8.0", ContainerRuntimeVersion = "containerd://2.0.0" },
        },
    };

    [Fact]
    public void Node_rows()
    {
        Assert.Equal("Name|Status|Roles|Age|Version|Internal-IP*|External-IP*|OS-Image*|Kernel-Version*|Container-Runtime*", Header("", "Node"));
        var labels = new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = "", ["node-role.kubernetes.io/"] = "", ["kubernetes.io/role"] = "master", ["node-role.kubernetes.io/etcd"] = "true" };
        Assert.Equal(["node-1", "Ready", "control-plane,etcd,master", "10d", "v1.32.4", "192.168.1.10", "<none>", "Ubuntu 24.04 LTS", "6.8.0", "containerd://2.0.0"],
            Row("", "Node", Node("True", labels: labels)));
        Assert.Equal(["NotReady,SchedulingDisabled", "<none>"], Row("", "Node", Node("False", unschedulable: true))[1..3]);
        Assert.Equal("NotReady", Row("", "Node", Node("Unknown"))[1]);
        Assert.Equal("Unknown", Row("", "Node", Node(null))[1]);

        var bare = new V1Node { Metadata = Meta("n2", ns: null) };
        Assert.Equal(["n2", "Unknown", "<none>", "5m", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"], Row("", "Node", bare));
    }

    [Fact]
    public void Small_core_kinds()
    {
        Assert.Equal(["default", "Active", "5m"], Row("", "Namespace", new V1Namespace { Metadata = Meta("default", ns: null), Status = new V1NamespaceStatus { Phase = "Active" } }));

        var cm = new V1ConfigMap { Metadata = Meta("cfg"), Data = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, BinaryData = new Dictionary<string, byte[]> { ["c"] = [1] } };
        Assert.Equal("Name|Data|Age", Header("", "ConfigMap"));
        Assert.Equal(["cfg", 3L, "5m"], Row("", "ConfigMap", cm));

        var secret = new V1Secret { Metadata = Meta("tls"), Type = "kubernetes.io/tls", Data = new Dictionary<string, byte[]> { ["tls.crt"] = Encoding.UTF8.GetBytes("x"), ["tls.key"] = [] } };
        Assert.Equal("Name|Type|Data|Age", Header("", "Secret"));
        Assert.Equal(["tls", "kubernetes.io/tls", 2L, "5m"], Row("", "Secret", secret));

        Assert.Equal(["default", 0L, "5m"], Row("", "ServiceAccount", new V1ServiceAccount { Metadata = Meta("default") }));
        Assert.Equal(["builder", 1L, "5m"], Row("", "ServiceAccount", new V1ServiceAccount { Metadata = Meta("builder"), Secrets = [new V1ObjectReference { Name = "s" }] }));
    }

    [Fact]
    public void ResourceQuota_row()
    {
        var quota = new V1ResourceQuota
        {
            Metadata = Meta("compute"),
            Status = new V1ResourceQuotaStatus
            {
                Hard = new Dictionary<string, ResourceQuantity> { ["requests.cpu"] = new("1"), ["pods"] = new("10"), ["limits.memory"] = new("2Gi"), ["limits.cpu"] = new("2") },
                Used = new Dictionary<string, ResourceQuantity> { ["requests.cpu"] = new("500m"), ["pods"] = new("2"), ["limits.cpu"] = new("1") },
            },
        };
        Assert.Equal("Name|Request|Limit|Age", Header("", "ResourceQuota"));
        Assert.Equal(["compute", "pods: 2/10, requests.cpu: 500m/1", "limits.cpu: 1/2, limits.memory: 0/2Gi", "5m"], Row("", "ResourceQuota", quota));
        Assert.Equal(["empty", "", "", "5m"], Row("", "ResourceQuota", new V1ResourceQuota { Metadata = Meta("empty") }));
    }

    [Fact]
    public void Core_event_row()
    {
        var ev = new Corev1Event
        {
            Metadata = Meta("web-0.17c3"),
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-0", FieldPath = "spec.containers{web}" },
            Reason = "BackOff",
            Type = "Warning",
            Message = "  Back-off restarting failed container\n",
            Source = new V1EventSource { Component = "kubelet", Host = "node-1" },
            FirstTimestamp = Ago(30),
            LastTimestamp = Ago(2),
            Count = 7,
        };
        Assert.Equal("Last Seen|Type|Reason|Object|Subobject*|Source*|Message|First Seen*|Count*|Name*", Header("", "Event"));
        Assert.Equal(["2m", "Warning", "BackOff", "pod/web-0", "spec.containers{web}", "kubelet, node-1", "Back-off restarting failed container", "30m", 7L, "web-0.17c3"],
            Row("", "Event", ev));
    }

    [Fact]
    public void Event_fallbacks()
    {
        var ev = new Corev1Event
        {
            Metadata = Meta("e"),
            InvolvedObject = new V1ObjectReference { Kind = "Node" },
            Reason = "Starting",
            Type = "Normal",
            EventTime = Ago(3),
            ReportingComponent = "kube-proxy",
            ReportingInstance = "kube-proxy-node-1",
        };
        Assert.Equal(["3m", "Normal", "Starting", "node", "", "kube-proxy, kube-proxy-node-1", "", "3m", 1L, "e"], Row("", "Event", ev));

        ev.Series = new Corev1EventSeries { Count = 12, LastObservedTime = Ago(1) };
        var row = Row("", "Event", ev);
        Assert.Equal("60s", row[0]);
        Assert.Equal(12L, row[8]);

        var unknown = new Corev1Event { Metadata = Meta("u"), InvolvedObject = new V1ObjectReference(), Source = new V1EventSource { Component = "c" } };
        Assert.Equal(["<unknown>", "<unknown>", "c"], new[] { Row("", "Event", unknown)[0], Row("", "Event", unknown)[7], Row("", "Event", unknown)[5] });
    }

    [Fact]
    public void Events_v1_row_reads_the_core_fields()
    {
        var ev = new Eventsv1Event
        {
            Metadata = Meta("web-0.17c3"),
            Regarding = new V1ObjectReference { Kind = "Deployment", Name = "web" },
            Reason = "ScalingReplicaSet",
            Type = "Normal",
            Note = "Scaled up replica set web-7d9f to 3",
            ReportingController = "deployment-controller",
            EventTime = Ago(4),
        };
        Assert.Equal(["4m", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller", "Scaled up replica set web-7d9f to 3", "4m", 1L, "web-0.17c3"],
            Row("events.k8s.io", "Event", ev));
    }
}
