using Coxswain.Api.Errors;
using Coxswain.Api.Selectors;
using k8s.Models;

namespace Coxswain.Api.Tests.Selectors;

public class FieldSelectorsTests
{
    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-0", NamespaceProperty = "default" },
        Spec = new V1PodSpec { NodeName = "n1", RestartPolicy = "Always", SchedulerName = "default-scheduler", ServiceAccountName = "default" },
        Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.9", PodIPs = [new V1PodIP { Ip = "10.0.0.9" }, new V1PodIP { Ip = "fd00::9" }] },
    };

    private static bool Select(string group, string kind, string selector, k8s.IKubernetesObject<V1ObjectMeta> obj) =>
        FieldSelectors.Matches(group, kind, FieldSelectors.Convert(group, kind, FieldSelector.Parse(selector)), obj);

    [Theory]
    [InlineData("metadata.name=web-0", true)]
    [InlineData("metadata.namespace=default", true)]
    [InlineData("metadata.namespace=kube-system", false)]
    [InlineData("spec.nodeName=n1", true)]
    [InlineData("spec.host=n1", true)]
    [InlineData("spec.nodeName!=n1", false)]
    [InlineData("spec.restartPolicy=Always", true)]
    [InlineData("spec.schedulerName=default-scheduler", true)]
    [InlineData("spec.serviceAccountName=default", true)]
    [InlineData("spec.hostNetwork=false", true)]
    [InlineData("status.phase=Running,spec.nodeName=n1", true)]
    [InlineData("status.phase=Pending", false)]
    [InlineData("status.podIP=10.0.0.9", true)]
    [InlineData("status.nominatedNodeName=", true)]
    [InlineData("status.podIPs=10.0.0.9", false)]
    public void Pod_fields(string selector, bool expected)
    {
        Assert.Equal(expected, Select("", "Pod", selector, Pod()));
    }

    [Fact]
    public void Pod_spec_host_is_converted_to_spec_node_name()
    {
        Assert.Equal("spec.nodeName=n1", FieldSelectors.Convert("", "Pod", FieldSelector.Parse("spec.host=n1")).ToString());
    }

    [Theory]
    [InlineData("", "Pod", "spec.foo=x", "field label not supported: spec.foo")]
    [InlineData("", "ConfigMap", "data=x", "\"data\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("apps", "ReplicaSet", "status.replicas=1", "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("batch", "Job", "status.active=1", "field label \"status.active\" not supported for batchv1.Job")]
    [InlineData("", "Node", "metadata.namespace=", "field label not supported: metadata.namespace")]
    [InlineData("", "Namespace", "metadata.namespace=x", "field label not supported: metadata.namespace")]
    [InlineData("events.k8s.io", "Event", "involvedObject.name=x", "field label not supported: involvedObject.name")]
    public void Unsupported_labels_are_rejected_as_upstream(string group, string kind, string selector, string message)
    {
        var e = Assert.Throws<ApiException>(() => FieldSelectors.Convert(group, kind, FieldSelector.Parse(selector)));
        Assert.Equal(400, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Every_kind_supports_metadata_name()
    {
        foreach (var (group, kind) in new[] { ("", "ConfigMap"), ("apps", "Deployment"), ("", "Node"), ("", "Namespace"), ("batch", "CronJob"), ("storage.k8s.io", "StorageClass") })
        {
            Assert.Contains("metadata.name", FieldSelectors.For(group, kind).Keys);
        }
        Assert.Equal(["metadata.name", "metadata.namespace"], FieldSelectors.For("", "ConfigMap").Keys.Order());
    }

    [Fact]
    public void Node_unschedulable_defaults_to_false()
    {
        var node = new V1Node { Metadata = new V1ObjectMeta { Name = "n1" }, Spec = new V1NodeSpec() };
        Assert.True(Select("", "Node", "spec.unschedulable=false", node));
        node.Spec.Unschedulable = true;
        Assert.True(Select("", "Node", "spec.unschedulable=true,metadata.name=n1", node));
    }

    [Fact]
    public void Cluster_scoped_kinds_compare_namespace_with_empty()
    {
        var pv = new V1PersistentVolume { Metadata = new V1ObjectMeta { Name = "pv1" } };
        Assert.True(Select("", "PersistentVolume", "metadata.namespace=", pv));
        Assert.False(Select("", "PersistentVolume", "metadata.namespace=default", pv));
    }

    [Fact]
    public void Namespace_secret_service_and_job_fields()
    {
        Assert.True(Select("", "Namespace", "status.phase=Active", new V1Namespace { Metadata = new(), Status = new V1NamespaceStatus { Phase = "Active" } }));
        Assert.True(Select("", "Secret", "type=kubernetes.io/tls", new V1Secret { Metadata = new(), Type = "kubernetes.io/tls" }));
        Assert.True(Select("", "Service", "spec.type=ClusterIP,spec.clusterIP=None", new V1Service { Metadata = new(), Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = "None" } }));
        Assert.True(Select("batch", "Job", "status.successful=2", new V1Job { Metadata = new(), Status = new V1JobStatus { Succeeded = 2 } }));
        Assert.True(Select("batch", "Job", "status.successful=0", new V1Job { Metadata = new() }));
    }

    private static Corev1Event CoreEvent() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-0.17a", NamespaceProperty = "default" },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-0", NamespaceProperty = "default", Uid = "u1", ApiVersion = "v1", FieldPath = "spec.containers{web}" },
        Reason = "Pulled",
        Type = "Normal",
        ReportingComponent = "kubelet",
    };

    [Theory]
    [InlineData("involvedObject.name=web-0,involvedObject.namespace=default,involvedObject.uid=u1", true)]
    [InlineData("involvedObject.kind=Pod,involvedObject.apiVersion=v1", true)]
    [InlineData("involvedObject.fieldPath=spec.containers{web}", true)]
    [InlineData("reason=Pulled,type=Normal", true)]
    [InlineData("reportingComponent=kubelet", true)]
    [InlineData("source=kubelet", true)]
    [InlineData("type=Warning", false)]
    public void Core_event_fields(string selector, bool expected)
    {
        Assert.Equal(expected, Select("", "Event", selector, CoreEvent()));
    }

    [Fact]
    public void Event_source_prefers_the_source_component()
    {
        var ev = CoreEvent();
        ev.Source = new V1EventSource { Component = "scheduler" };
        Assert.True(Select("", "Event", "source=scheduler", ev));
    }

    [Fact]
    public void Events_v1_labels_are_converted_to_core_labels()
    {
        var converted = FieldSelectors.Convert("events.k8s.io", "Event", FieldSelector.Parse("regarding.name=web-0,reportingController=kubelet"));
        Assert.Equal("involvedObject.name=web-0,reportingComponent=kubelet", converted.ToString());
        Assert.True(FieldSelectors.Matches("events.k8s.io", "Event", converted, CoreEvent()));
        var v1 = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "e" },
            Regarding = new V1ObjectReference { Name = "web-0" },
            ReportingController = "kubelet",
        };
        Assert.True(FieldSelectors.Matches("events.k8s.io", "Event", converted, v1));
    }
}
