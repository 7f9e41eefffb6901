using System.Reflection;
using System.Text.Json.Serialization;
using Coxswain.Api.Schema;
using k8s.Models;

namespace Coxswain.Api.Tests.Patching;

public class PatchMetadataTests
{
    private static readonly Assembly Models = typeof(V1Pod).Assembly;

    [Fact]
    public void EveryRowNamesAModelAndAJsonField()
    {
        var missing = new List<string>();
        foreach (var (model, rows) in PatchMetadata.Fields)
        {
            var type = Models.GetType("k8s.Models." + model);
            if (type == null)
            {
                missing.Add(model);
                continue;
            }
            var names = type.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).ToHashSet();
            missing.AddRange(rows.Keys.Where(f => !names.Contains(f)).Select(f => $"{model}.{f}"));
        }
        missing.AddRange(PatchMetadata.AtomicTypeNames.Where(t => Models.GetType("k8s.Models." + t) == null));
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData(typeof(V1PodSpec), "containers", "merge", "name", "map", "name")]
    [InlineData(typeof(V1PodSpec), "volumes", "merge,retainKeys", "name", "map", "name")]
    [InlineData(typeof(V1Container), "ports", "merge", "containerPort", "map", "containerPort,protocol")]
    [InlineData(typeof(V1ServiceSpec), "ports", "merge", "port", "map", "port,protocol")]
    [InlineData(typeof(V1ObjectMeta), "finalizers", "merge", null, "set", null)]
    [InlineData(typeof(V1PodSpec), "tolerations", null, null, "atomic", null)]
    [InlineData(typeof(V1JobStatus), "conditions", "merge", "type", "atomic", null)]
    [InlineData(typeof(V1DeploymentSpec), "strategy", "retainKeys", null, null, null)]
    [InlineData(typeof(V1PodDisruptionBudgetSpec), "selector", "replace", null, null, null)]
    [InlineData(typeof(V1ResourceRequirements), "claims", null, null, "map", "name")]
    public void FieldsCarryTheirTags(Type model, string field, string? strategy, string? key, string? listType, string? keys)
    {
        var prop = ModelSchemas.For(model).Property(field)!;
        Assert.Equal(strategy, prop.PatchStrategy);
        Assert.Equal(key, prop.PatchMergeKey);
        Assert.Equal(listType, prop.ListType);
        Assert.Equal(keys, prop.ListMapKeys == null ? null : string.Join(",", prop.ListMapKeys));
    }

    [Fact]
    public void MapAndStructTypes()
    {
        Assert.Equal("atomic", ModelSchemas.For(typeof(V1PodSpec)).Property("nodeSelector")!.MapType);
        Assert.Equal("atomic", ModelSchemas.For(typeof(V1ServiceSpec)).Property("selector")!.MapType);
        Assert.Equal("granular", ModelSchemas.For(typeof(V1PersistentVolumeSpec)).Property("claimRef")!.MapType);
        Assert.Equal("atomic", ModelSchemas.For(typeof(V1LabelSelector)).StructType);
        Assert.Equal("atomic", ModelSchemas.For(typeof(V1OwnerReference)).StructType);
        Assert.Null(ModelSchemas.For(typeof(V1Container)).StructType);
    }
}
