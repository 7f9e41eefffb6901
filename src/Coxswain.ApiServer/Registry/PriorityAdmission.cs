using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Resources.Strategies;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>
/// Upstream's Priority admission plugin: a new pod gets <c>spec.priority</c> and <c>spec.preemptionPolicy</c> from its
/// PriorityClass (a system class, a user class, or the globalDefault class when it names none), and at most one
/// PriorityClass may be the global default. The scheduler's preemption works from these values.
/// </summary>
internal static class PriorityAdmission
{
    private const string DefaultPolicy = "PreemptLowerPriority";

    public static async Task AdmitPodAsync(ObjectRegistry registry, V1Pod pod, CancellationToken ct)
    {
        var spec = pod.Spec;
        if (spec == null)
        {
            return;
        }
        var name = pod.Metadata?.Name ?? pod.Metadata?.GenerateName ?? "";
        int value;
        string policy;
        if (string.IsNullOrEmpty(spec.PriorityClassName))
        {
            var globalDefault = await GlobalDefaultAsync(registry, ct);
            value = globalDefault?.Value ?? 0;
            policy = globalDefault?.PreemptionPolicy ?? DefaultPolicy;
            if (globalDefault != null)
            {
                spec.PriorityClassName = globalDefault.Metadata.Name;
            }
        }
        else if (PodDefaults.SystemPriorityClasses.TryGetValue(spec.PriorityClassName, out var system))
        {
            value = system;
            policy = DefaultPolicy;
        }
        else
        {
            var key = StorageKeys.Object(Classes, null, spec.PriorityClassName);
            var stored = await registry.Store.GetAsync(key, ct)
                ?? throw ApiException.Forbidden("pods", "", name, $"no PriorityClass with name {spec.PriorityClassName} was found");
            var pc = (V1PriorityClass)StoredObjects.Decode(Classes, stored);
            value = pc.Value ?? 0;
            policy = pc.PreemptionPolicy ?? DefaultPolicy;
        }

        if (spec.Priority is int given && given != value)
        {
            throw ApiException.Forbidden("pods", "", name,
                $"the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name");
        }
        if (spec.PreemptionPolicy is { } givenPolicy && givenPolicy != policy)
        {
            throw ApiException.Forbidden("pods", "", name,
                $"the string value of PreemptionPolicy ({givenPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
        }
        spec.Priority = value;
        spec.PreemptionPolicy = policy;
    }

    /// <summary>A second globalDefault class is refused.</summary>
    public static async Task AdmitClassAsync(ObjectRegistry registry, V1PriorityClass pc, CancellationToken ct)
    {
        if (pc.GlobalDefault != true)
        {
            return;
        }
        var existing = await GlobalDefaultAsync(registry, ct);
        if (existing != null && existing.Metadata.Name != pc.Metadata?.Name)
        {
            throw ApiException.Forbidden("priorityclasses", "scheduling.k8s.io", pc.Metadata?.Name ?? "",
                $"PriorityClass {existing.Metadata.Name} is already marked as default. Only one default can exist");
        }
    }

    /// <summary>The globalDefault class; when a race left several, the one with the lowest value, as upstream.</summary>
    private static async Task<V1PriorityClass?> GlobalDefaultAsync(ObjectRegistry registry, CancellationToken ct)
    {
        var page = await registry.ListAsync(Classes, null, new ListQuery(), ct);
        V1PriorityClass? found = null;
        foreach (var item in page.Items)
        {
            var pc = (V1PriorityClass)item.Object;
            if (pc.GlobalDefault == true && (found == null || (pc.Value ?? 0) < (found.Value ?? 0)))
            {
                found = pc;
            }
        }
        return found;
    }

    private static ResourceDefinition Classes =>
        ResourceCatalog.Default.FindByKind("scheduling.k8s.io/v1", "PriorityClass") ?? throw new InvalidOperationException("PriorityClasses are not served");
}
