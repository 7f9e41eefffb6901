namespace Coxswain.Api.Patching;

/// <summary>
/// Per-request settings of the field manager, shared by <see cref="ServerSideApply"/> and
/// <see cref="ManagedFields"/>.
/// </summary>
public sealed record FieldManagerOptions
{
    /// <summary>The subresource written ("status", "scale"), recorded in the managedFields entry; null for the main resource.</summary>
    public string? Subresource { get; init; }

    /// <summary>
    /// Fields the resource's strategy resets for this endpoint (upstream's <c>GetResetFields</c>, e.g.
    /// <c>"status"</c> on the main resource, <c>"spec"</c> on <c>/status</c>): nobody takes ownership
    /// of them or conflicts on them here. Dotted field names, e.g. <c>"metadata.labels"</c>.
    /// </summary>
    public IReadOnlyList<string>? ResetFields { get; init; }

    /// <summary>
    /// The group/version of the endpoint ("apps/v1"). When set, an applied configuration of another
    /// version is rejected (400 <c>invalid object type: apps/v1beta1, Kind=Deployment</c>).
    /// </summary>
    public string? ApiVersion { get; init; }

    /// <summary>The kind served by the endpoint. When set, an applied configuration of another kind is rejected likewise.</summary>
    public string? Kind { get; init; }

    internal FieldSet? IgnoredSet()
    {
        if (ResetFields is not { Count: > 0 })
        {
            return null;
        }
        var set = new FieldSet();
        foreach (var field in ResetFields)
        {
            set.Insert(field.Split('.').Select(PathElement.Field).ToArray());
        }
        return set;
    }
}
