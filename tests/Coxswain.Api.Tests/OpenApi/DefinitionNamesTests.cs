using Coxswain.Api.OpenApi;
using Coxswain.Api.Resources;
using k8s.Models;

namespace Coxswain.Api.Tests.OpenApi;

[Collection(Documents.Collection)]
public class DefinitionNamesTests
{
    [Theory]
    [InlineData(typeof(V1Pod), "io.k8s.api.core.v1.Pod")]
    [InlineData(typeof(V1PodSpec), "io.k8s.api.core.v1.PodSpec")]
    [InlineData(typeof(V1Container), "io.k8s.api.core.v1.Container")]
    [InlineData(typeof(V1PodTemplateSpec), "io.k8s.api.core.v1.PodTemplateSpec")]
    [InlineData(typeof(V1TopologySelectorTerm), "io.k8s.api.core.v1.TopologySelectorTerm")]
    [InlineData(typeof(V1ObjectReference), "io.k8s.api.core.v1.ObjectReference")]
    [InlineData(typeof(Corev1Event), "io.k8s.api.core.v1.Event")]
    [InlineData(typeof(Corev1EventSeries), "io.k8s.api.core.v1.EventSeries")]
    [InlineData(typeof(Eventsv1Event), "io.k8s.api.events.v1.Event")]
    [InlineData(typeof(Eventsv1EventSeries), "io.k8s.api.events.v1.EventSeries")]
    [InlineData(typeof(V1ObjectMeta), "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")]
    [InlineData(typeof(V1ListMeta), "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta")]
    [InlineData(typeof(V1LabelSelector), "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")]
    [InlineData(typeof(V1Status), "io.k8s.apimachinery.pkg.apis.meta.v1.Status")]
    [InlineData(typeof(V1DeleteOptions), "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")]
    [InlineData(typeof(V1Condition), "io.k8s.apimachinery.pkg.apis.meta.v1.Condition")]
    [InlineData(typeof(V1Deployment), "io.k8s.api.apps.v1.Deployment")]
    [InlineData(typeof(V1DeploymentStrategy), "io.k8s.api.apps.v1.DeploymentStrategy")]
    [InlineData(typeof(V1JobTemplateSpec), "io.k8s.api.batch.v1.JobTemplateSpec")]
    [InlineData(typeof(V2MetricSpec), "io.k8s.api.autoscaling.v2.MetricSpec")]
    [InlineData(typeof(V1CrossVersionObjectReference), "io.k8s.api.autoscaling.v1.CrossVersionObjectReference")]
    [InlineData(typeof(V1Scale), "io.k8s.api.autoscaling.v1.Scale")]
    [InlineData(typeof(V1PolicyRule), "io.k8s.api.rbac.v1.PolicyRule")]
    [InlineData(typeof(Rbacv1Subject), "io.k8s.api.rbac.v1.Subject")]
    [InlineData(typeof(V1LeaseSpec), "io.k8s.api.coordination.v1.LeaseSpec")]
    [InlineData(typeof(V1EndpointConditions), "io.k8s.api.discovery.v1.EndpointConditions")]
    [InlineData(typeof(Discoveryv1EndpointPort), "io.k8s.api.discovery.v1.EndpointPort")]
    [InlineData(typeof(Corev1EndpointPort), "io.k8s.api.core.v1.EndpointPort")]
    [InlineData(typeof(V1StorageClass), "io.k8s.api.storage.v1.StorageClass")]
    [InlineData(typeof(V1PodDisruptionBudgetSpec), "io.k8s.api.policy.v1.PodDisruptionBudgetSpec")]
    [InlineData(typeof(V1alpha3WorkloadPodGroupSchedulingPolicy), "io.k8s.api.scheduling.v1alpha3.WorkloadPodGroupSchedulingPolicy")]
    [InlineData(typeof(V1CustomResourceDefinitionSpec), "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec")]
    public void Model_types_get_upstream_definition_names(Type type, string expected)
    {
        Assert.Equal(expected, DefinitionNames.For(type));
    }

    [Fact]
    public void Every_served_model_type_has_a_distinct_name()
    {
        var set = new SchemaSet();
        foreach (var def in ResourceCatalog.Default.All)
        {
            set.Add(def.ModelType);
            set.Add(def.ListModelType);
        }
        var byName = new Dictionary<string, Type>();
        foreach (var entry in set.Entries.Where(e => e.Model != null))
        {
            var type = entry.Model!.ClrType;
            Assert.True(!byName.TryGetValue(entry.Name, out var other) || other == type,
                $"{entry.Name} is both {type.Name} and {other?.Name}");
            byName[entry.Name] = type;
            Assert.StartsWith("io.k8s.", entry.Name);
            Assert.DoesNotContain("metrics", entry.Name);
        }
    }

    [Theory]
    [InlineData("", "Core", "core_v1")]
    [InlineData("apps", "Apps", "apps_v1")]
    [InlineData("rbac.authorization.k8s.io", "RbacAuthorization", "rbacAuthorization_v1")]
    [InlineData("storage.k8s.io", "Storage", "storage_v1")]
    public void Groups_are_spelled_as_in_upstream_operation_ids_and_tags(string group, string words, string tag)
    {
        Assert.Equal(words, ApiPaths.GroupWords(group));
        Assert.Equal(tag, ApiPaths.Tag(group, "v1"));
    }
}
