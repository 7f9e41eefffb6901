using System.Text.RegularExpressions;
using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>api-resources, api-versions, explain, cluster-info, version.</summary>
public sealed partial class KubectlDiscoveryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    /// <summary>name, short names, apiVersion, namespaced, kind: as upstream 1.32 lists them.</summary>
    public static readonly TheoryData<string, string, string, string, string> ServedKinds = new()
    {
        { "configmaps", "cm", "v1", "true", "ConfigMap" },
        { "endpoints", "ep", "v1", "true", "Endpoints" },
        { "events", "ev", "v1", "true", "Event" },
        { "limitranges", "limits", "v1", "true", "LimitRange" },
        { "namespaces", "ns", "v1", "false", "Namespace" },
        { "nodes", "no", "v1", "false", "Node" },
        { "persistentvolumeclaims", "pvc", "v1", "true", "PersistentVolumeClaim" },
        { "persistentvolumes", "pv", "v1", "false", "PersistentVolume" },
        { "pods", "po", "v1", "true", "Pod" },
        { "resourcequotas", "quota", "v1", "true", "ResourceQuota" },
        { "secrets", "", "v1", "true", "Secret" },
        { "serviceaccounts", "sa", "v1", "true", "ServiceAccount" },
        { "services", "svc", "v1", "true", "Service" },
        { "controllerrevisions", "", "apps/v1", "true", "ControllerRevision" },
        { "daemonsets", "ds", "apps/v1", "true", "DaemonSet" },
        { "deployments", "deploy", "apps/v1", "true", "Deployment" },
        { "replicasets", "rs", "apps/v1", "true", "ReplicaSet" },
        { "statefulsets", "sts", "apps/v1", "true", "StatefulSet" },
        { "horizontalpodautoscalers", "hpa", "autoscaling/v2", "true", "HorizontalPodAutoscaler" },
        { "cronjobs", "cj", "batch/v1", "true", "CronJob" },
        { "jobs", "", "batch/v1", "true", "Job" },
        { "leases", "", "coordination.k8s.io/v1", "true", "Lease" },
        { "endpointslices", "", "discovery.k8s.io/v1", "true", "EndpointSlice" },
        { "poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget" },
        { "clusterrolebindings", "", "rbac.authorization.k8s.io/v1", "false", "ClusterRoleBinding" },
        { "clusterroles", "", "rbac.authorization.k8s.io/v1", "false", "ClusterRole" },
        { "rolebindings", "", "rbac.authorization.k8s.io/v1", "true", "RoleBinding" },
        { "roles", "", "rbac.authorization.k8s.io/v1", "true", "Role" },
        { "priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass" },
        { "storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass" },
    };

    private KubectlTable? _apiResources;

    private async Task<KubectlTable> ApiResourcesAsync() => _apiResources ??= new KubectlTable(await Kubectl.OkAsync("api-resources"));

    [Theory]
    [MemberData(nameof(ServedKinds))]
    public async Task Api_resources_lists_the_kind(string name, string shortNames, string apiVersion, string namespaced, string kind)
    {
        var table = await ApiResourcesAsync();
        Assert.Equal(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], table.Headers);
        var rows = table.Rows.Where(r => r[0] == name && r[2] == apiVersion).ToList();
        var row = Assert.Single(rows);
        Assert.Equal([name, shortNames, apiVersion, namespaced, kind], row);
    }

    [Fact]
    public async Task Api_resources_lists_events_of_events_k8s_io_too()
    {
        var table = await ApiResourcesAsync();
        Assert.Contains(table.Rows, r => r.SequenceEqual(["events", "ev", "events.k8s.io/v1", "true", "Event"]));
    }

    [Fact]
    public async Task Api_resources_namespaced_false_lists_only_cluster_scoped_kinds()
    {
        var table = new KubectlTable(await Kubectl.OkAsync("api-resources --namespaced=false"));
        var names = table.Column("NAME");
        Assert.All(table.Column("NAMESPACED"), n => Assert.Equal("false", n));
        foreach (var expected in new[] { "namespaces", "nodes", "persistentvolumes", "clusterroles", "clusterrolebindings", "priorityclasses", "storageclasses" })
        {
            Assert.Contains(expected, names);
        }
        Assert.DoesNotContain("pods", names);
        Assert.DoesNotContain("deployments", names);
    }

    [Fact]
    public async Task Api_resources_filters_by_group_and_prints_names()
    {
        Assert.Equal(
            "controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n",
            await Kubectl.OkAsync("api-resources --api-group=apps -o name"));
    }

    [Fact]
    public async Task Api_resources_wide_lists_verbs()
    {
        var table = new KubectlTable(await Kubectl.OkAsync("api-resources -o wide"));
        Assert.Equal(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"], table.Headers);
        var pods = table.Rows.Single(r => r[0] == "pods");
        Assert.Equal("create,delete,deletecollection,get,list,patch,update,watch", pods[5]);
        Assert.Equal("all", pods[6]);
    }

    [Fact]
    public async Task Api_versions_lists_every_served_group_version()
    {
        var versions = (await Kubectl.OkAsync("api-versions")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var expected in new[]
        {
            "v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "batch/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
            "events.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1",
        })
        {
            Assert.Contains(expected, versions);
        }
        Assert.Equal(versions.OrderBy(v => v, StringComparer.Ordinal), versions);
    }

    [Fact]
    public async Task Cluster_info_prints_the_control_plane_url()
    {
        var output = Regex.Replace(await Kubectl.OkAsync("cluster-info"), "\u001b\\[[0-9;]*m", "");
        Assert.Equal($"Kubernetes control plane is running at {Server.Url}\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n", output);
    }

    [Fact]
    public async Task Version_reports_server_1_32()
    {
        var output = await Kubectl.OkAsync("version");
        Assert.Contains("Server Version: v1.32.", output);
        Assert.Contains("Client Version: v1.32.", output);
        Assert.DoesNotContain("WARNING", output);
    }

    [Fact]
    public async Task Get_raw_paths_serve_health_and_discovery()
    {
        Assert.Equal("ok", await Kubectl.OkAsync("get --raw /readyz"));
        var api = await Kubectl.OkAsync("get --raw /api");
        Assert.Contains("\"kind\":\"APIVersions\"", api);
        Assert.Contains("\"versions\":[\"v1\"]", api);
        var apps = await Kubectl.OkAsync("get --raw /apis/apps/v1");
        Assert.Contains("\"kind\":\"APIResourceList\"", apps);
        Assert.Contains("\"name\":\"deployments/scale\"", apps);
    }

    [Fact]
    public async Task Explain_a_kind_in_a_group()
    {
        var output = await Kubectl.OkAsync("explain deployment.spec.replicas");
        Assert.StartsWith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n", output);
    }

    [Fact]
    public async Task Explain_prints_fields_and_descriptions()
    {
        var output = await Kubectl.OkAsync("explain pods.spec.containers");
        Assert.StartsWith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n", output);
        Assert.Contains("DESCRIPTION:\n    List of containers belonging to the pod.", output);
        Assert.Contains("FIELDS:\n", output);
        Assert.Contains("\n  image\t<string>\n", output);
        Assert.Contains("\n  name\t<string> -required-\n", output);
    }
}
