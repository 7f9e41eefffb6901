using k8s.Models;

namespace Coxswain.Api.Tests.Printing;

public class WorkloadPrinterTests : PrinterTestBase
{
    private static V1LabelSelector AppWeb => new() { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };

    [Fact]
    public void Deployment_row()
    {
        var d = new V1Deployment
        {
            Metadata = Meta("web"),
            Spec = new V1DeploymentSpec { Replicas = 3, Selector = AppWeb, Template = Template(Container("nginx", "nginx:1.25"), Container("log", "busybox")) },
            Status = new V1DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 2 },
        };
        Assert.Equal("Name|Ready|Up-to-date|Available|Age|Containers*|Images*|Selector*", Header("apps", "Deployment"));
        Assert.Equal(["web", "2/3", 3L, 2L, "5m", "nginx,log", "nginx:1.25,busybox", "app=web"], Row("apps", "Deployment", d));
    }

    [Fact]
    public void Deployment_without_status_and_with_odd_selectors()
    {
        var d = new V1Deployment { Metadata = Meta("web", 200), Spec = new V1DeploymentSpec { Replicas = 1, Template = Template() } };
        Assert.Equal(["web", "0/1", 0L, 0L, "3h20m", "", "", ""], Row("apps", "Deployment", d));

        d.Spec.Selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "a", OperatorProperty = "Bogus" }] };
        Assert.Equal("<invalid>", Row("apps", "Deployment", d)[7]);
    }

    [Fact]
    public void ReplicaSet_row()
    {
        var rs = new V1ReplicaSet
        {
            Metadata = Meta("web-7d9f", 90 * 24 * 60),
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector
                {
                    MatchLabels = new Dictionary<string, string> { ["pod-template-hash"] = "7d9f", ["app"] = "web" },
                    MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["fe", "be"] }],
                },
                Template = Template(Container("nginx", "nginx")),
            },
            Status = new V1ReplicaSetStatus { Replicas = 3, ReadyReplicas = 1 },
        };
        Assert.Equal("Name|Desired|Current|Ready|Age|Containers*|Images*|Selector*", Header("apps", "ReplicaSet"));
        Assert.Equal(["web-7d9f", 3L, 3L, 1L, "90d", "nginx", "nginx", "app=web,pod-template-hash=7d9f,tier in (be,fe)"], Row("apps", "ReplicaSet", rs));
    }

    [Fact]
    public void StatefulSet_row()
    {
        var sts = new V1StatefulSet
        {
            Metadata = Meta("db"),
            Spec = new V1StatefulSetSpec { Replicas = 3, ServiceName = "db", Selector = AppWeb, Template = Template(Container("pg", "postgres:16")) },
            Status = new V1StatefulSetStatus { Replicas = 3, ReadyReplicas = 3 },
        };
        Assert.Equal("Name|Ready|Age|Containers*|Images*", Header("apps", "StatefulSet"));
        Assert.Equal(["db", "3/3", "5m", "pg", "postgres:16"], Row("apps", "StatefulSet", sts));
    }

    [Fact]
    public void DaemonSet_row()
    {
        var template = Template(Container("agent", "fluentd"));
        template.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["disk"] = "ssd" };
        var ds = new V1DaemonSet
        {
            Metadata = Meta("fluentd"),
            Spec = new V1DaemonSetSpec { Selector = AppWeb, Template = template },
            Status = new V1DaemonSetStatus { DesiredNumberScheduled = 3, CurrentNumberScheduled = 3, NumberReady = 2, UpdatedNumberScheduled = 3, NumberAvailable = 2 },
        };
        Assert.Equal("Name|Desired|Current|Ready|Up-to-date|Available|Node Selector|Age|Containers*|Images*|Selector*", Header("apps", "DaemonSet"));
        Assert.Equal(["fluentd", 3L, 3L, 2L, 3L, 2L, "disk=ssd,kubernetes.io/os=linux", "5m", "agent", "fluentd", "app=web"], Row("apps", "DaemonSet", ds));

        ds.Spec.Template.Spec.NodeSelector = null;
        ds.Spec.Selector = null;
        var row = Row("apps", "DaemonSet", ds);
        Assert.Equal("<none>", row[6]);
        Assert.Equal("<none>", row[10]);
    }

    [Theory]
    [InlineData("apps/v1", "StatefulSet", "statefulset.apps/web")]
    [InlineData("apps/v1", "DaemonSet", "daemonset.apps/web")]
    [InlineData("v1", "Pod", "pod/web")]
    public void ControllerRevision_row(string apiVersion, string kind, string controller)
    {
        var cr = new V1ControllerRevision
        {
            Metadata = Meta("web-6c4f"),
            Revision = 4,
        };
        cr.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = apiVersion, Kind = kind, Name = "web", Uid = "u", Controller = true }];
        Assert.Equal("Name|Controller|Revision|Age", Header("apps", "ControllerRevision"));
        Assert.Equal(["web-6c4f", controller, 4L, "5m"], Row("apps", "ControllerRevision", cr));

        cr.Metadata.OwnerReferences[0].Controller = false;
        Assert.Equal("<none>", Row("apps", "ControllerRevision", cr)[1]);
    }

    private static V1Job Job(int? completions = 1, int? parallelism = 1, int succeeded = 0, params (string Type, string Status)[] conditions) => new()
    {
        Metadata = Meta("pi", 10),
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["batch.kubernetes.io/controller-uid"] = "abc" } },
            Template = Template(Container("pi", "perl:5.34")),
        },
        Status = new V1JobStatus
        {
            Succeeded = succeeded,
            StartTime = Ago(9),
            Conditions = conditions.Select(c => new V1JobCondition { Type = c.Type, Status = c.Status }).ToList(),
        },
    };

    [Fact]
    public void Job_rows()
    {
        Assert.Equal("Name|Status|Completions|Duration|Age|Containers*|Images*|Selector*", Header("batch", "Job"));

        var running = Job();
        Assert.Equal(["pi", "Running", "0/1", "9m", "10m", "pi", "perl:5.34", "batch.kubernetes.io/controller-uid=abc"], Row("batch", "Job", running));

        var complete = Job(succeeded: 1, conditions: [("Complete", "True")]);
        complete.Status.CompletionTime = Ago(7);
        Assert.Equal(["Complete", "1/1", "2m"], Row("batch", "Job", complete)[1..4]);

        Assert.Equal(["Running", "0/1 of 3"], Row("batch", "Job", Job(completions: null, parallelism: 3))[1..3]);
        Assert.Equal("2/1", Row("batch", "Job", Job(completions: null, parallelism: null, succeeded: 2))[2]);
        Assert.Equal("Failed", Row("batch", "Job", Job(conditions: [("Failed", "True")]))[1]);
        Assert.Equal("Suspended", Row("batch", "Job", Job(conditions: [("Suspended", "True")]))[1]);
        Assert.Equal("FailureTarget", Row("batch", "Job", Job(conditions: [("FailureTarget", "True")]))[1]);
        Assert.Equal("Running", Row("batch", "Job", Job(conditions: [("Complete", "False"), ("Complete", "True")]))[1]);

        var terminating = Job(conditions: [("Suspended", "True")]);
        terminating.Metadata.DeletionTimestamp = Now;
        Assert.Equal("Terminating", Row("batch", "Job", terminating)[1]);

        var notStarted = Job();
        notStarted.Status.StartTime = null;
        Assert.Equal("", Row("batch", "Job", notStarted)[3]);
    }

    [Fact]
    public void CronJob_row()
    {
        var cj = new V1CronJob
        {
            Metadata = Meta("backup", 3 * 24 * 60),
            Spec = new V1CronJobSpec
            {
                Schedule = "*/5 * * * *",
                JobTemplate = new V1JobTemplateSpec { Spec = new V1JobSpec { Template = Template(Container("backup", "restic")) } },
            },
            Status = new V1CronJobStatus { Active = [new V1ObjectReference { Name = "backup-1" }], LastScheduleTime = Ago(2) },
        };
        Assert.Equal("Name|Schedule|Timezone|Suspend|Active|Last Schedule|Age|Containers*|Images*|Selector*", Header("batch", "CronJob"));
        Assert.Equal(["backup", "*/5 * * * *", "<none>", "<unset>", 1L, "2m", "3d", "backup", "restic", "<none>"], Row("batch", "CronJob", cj));

        cj.Spec.Suspend = false;
        cj.Spec.TimeZone = "Europe/Paris";
        cj.Status = null;
        Assert.Equal(["backup", "*/5 * * * *", "Europe/Paris", "False", 0L, "<none>"], Row("batch", "CronJob", cj)[..6]);
        cj.Spec.Suspend = true;
        Assert.Equal("True", Row("batch", "CronJob", cj)[3]);
    }

    private static V2MetricSpec Resource(string name, int? utilization = null, string? average = null) => new()
    {
        Type = "Resource",
        Resource = new V2ResourceMetricSource
        {
            Name = name,
            Target = new V2MetricTarget { Type = average == null ? "Utilization" : "AverageValue", AverageUtilization = utilization, AverageValue = average == null ? null : new ResourceQuantity(average) },
        },
    };

    private static V2MetricStatus CurrentResource(string name, int? utilization = null, string? average = null) => new()
    {
        Type = "Resource",
        Resource = new V2ResourceMetricStatus { Name = name, Current = new V2MetricValueStatus { AverageUtilization = utilization, AverageValue = average == null ? null : new ResourceQuantity(average) } },
    };

    [Fact]
    public void Hpa_v2_rows()
    {
        var hpa = new V2HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web" },
                MinReplicas = 2,
                MaxReplicas = 10,
                Metrics = [Resource("cpu", utilization: 80), Resource("memory", average: "200Mi")],
            },
            Status = new V2HorizontalPodAutoscalerStatus { CurrentReplicas = 3, CurrentMetrics = [CurrentResource("cpu", utilization: 45), CurrentResource("memory", average: "100Mi")] },
        };
        Assert.Equal("Name|Reference|Targets|MinPods|MaxPods|Replicas|Age", Header("autoscaling", "HorizontalPodAutoscaler"));
        Assert.Equal(["web", "Deployment/web", "cpu: 45%/80%, memory: 100Mi/200Mi", "2", 10L, 3L, "5m"], Row("autoscaling", "HorizontalPodAutoscaler", hpa));

        hpa.Status.CurrentMetrics = null;
        hpa.Spec.Metrics.Add(new V2MetricSpec
        {
            Type = "Pods",
            Pods = new V2PodsMetricSource { Metric = new V2MetricIdentifier { Name = "qps" }, Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity("1k") } },
        });
        hpa.Spec.MinReplicas = null;
        Assert.Equal(["cpu: <unknown>/80%, memory: <unknown>/200Mi + 1 more...", "<unset>"], Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2..4]);

        hpa.Spec.Metrics = [
            new V2MetricSpec { Type = "External", External = new V2ExternalMetricSource { Metric = new V2MetricIdentifier { Name = "queue" }, Target = new V2MetricTarget { Type = "Value", Value = new ResourceQuantity("30") } } },
            new V2MetricSpec { Type = "Object", ObjectProperty = new V2ObjectMetricSource { Metric = new V2MetricIdentifier { Name = "rps" }, Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity("10") } } },
        ];
        Assert.Equal("<unknown>/30, <unknown>/10 (avg)", Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2]);
        hpa.Spec.Metrics = [Resource("cpu")];
        Assert.Equal("cpu: <unknown>/<auto>", Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2]);
        hpa.Spec.Metrics = [];
        Assert.Equal("<none>", Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2]);
    }

    [Fact]
    public void Hpa_v1_rows()
    {
        var hpa = new V1HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V1HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V1CrossVersionObjectReference { Kind = "Deployment", Name = "web" },
                MinReplicas = 1,
                MaxReplicas = 5,
                TargetCPUUtilizationPercentage = 50,
            },
            Status = new V1HorizontalPodAutoscalerStatus { CurrentReplicas = 1, CurrentCPUUtilizationPercentage = 20 },
        };
        Assert.Equal(["web", "Deployment/web", "cpu: 20%/50%", "1", 5L, 1L, "5m"], Row("autoscaling", "HorizontalPodAutoscaler", hpa));
        hpa.Status.CurrentCPUUtilizationPercentage = null;
        Assert.Equal("cpu: <unknown>/50%", Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2]);
        hpa.Spec.TargetCPUUtilizationPercentage = null;
        Assert.Equal("<none>", Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2]);
    }
}
