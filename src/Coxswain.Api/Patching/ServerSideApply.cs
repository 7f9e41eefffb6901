using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Schema;
using k8s.Models;

namespace Coxswain.Api.Patching;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>) with structured-merge-diff's semantics
/// and upstream's managedFields format.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The applier owns exactly the fields of its configuration (an <c>Apply</c> entry per manager
/// and apiVersion). Fields it owned before and no longer applies are removed from the object unless
/// another manager owns them too.</item>
/// <item>Changing a field another manager owns is a conflict (409 <c>Apply failed with 1 conflict:
/// conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas</c>); with force the fields
/// move to the applier. A manager named "kubectl" may take over the fields its last client-side apply
/// (the last-applied-configuration annotation) set and nobody changed since, and keeps that annotation
/// in sync, as upstream does for <c>kubectl apply --server-side</c>.</item>
/// <item>Lists merge by listType: map lists by their key fields (a key field the element omits
/// takes its default, e.g. protocol TCP), sets by value, atomic lists whole; maps and structs are
/// granular unless atomic.</item>
/// <item>An object without managedFields first gets an Update entry "before-first-apply" owning its
/// current fields. apiVersion, kind, metadata.name/namespace/uid/resourceVersion/generation/
/// creationTimestamp/managedFields are never owned.</item>
/// </list>
/// All managers are treated as using the same schema whatever their apiVersion (upstream converts
/// between versions first).
/// </remarks>
public static class ServerSideApply
{
    /// <summary>The annotation client-side <c>kubectl apply</c> writes.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// Applies <paramref name="applied"/> (the request body) for <paramref name="manager"/> to
    /// <paramref name="live"/> (null when the object does not exist yet) and returns the object to
    /// store, managedFields included. The inputs are not modified. The caller defaults and validates
    /// the result as for any write.
    /// </summary>
    /// <param name="now">The time recorded in the entry when the apply changes the object.</param>
    /// <exception cref="ApiException">
    /// 409 Conflict with a <c>FieldManagerConflict</c> cause per conflicting field; 400 when the
    /// configuration has no apiVersion, is of another kind or version than
    /// <see cref="FieldManagerOptions.ApiVersion"/>/<see cref="FieldManagerOptions.Kind"/>, or carries managedFields; 500 (empty reason,
    /// upstream's message) when it does not fit the schema (unknown field, list element without its key).
    /// </exception>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, TypeSchema schema, string manager, bool force, DateTime now, FieldManagerOptions? options = null)
    {
        options ??= new FieldManagerOptions();
        var appliedVersion = TextOf(applied["apiVersion"]);
        var kind = TextOf(applied["kind"]);
        if ((options.ApiVersion != null && appliedVersion != options.ApiVersion) || (options.Kind != null && kind != options.Kind) || appliedVersion.Length == 0)
        {
            throw ApiException.BadRequest($"invalid object type: {Gvk(appliedVersion, kind)}");
        }
        var apiVersion = appliedVersion;
        if (applied["metadata"] is JsonObject meta && meta.TryGetPropertyValue("managedFields", out var mf) && mf != null)
        {
            throw ApiException.BadRequest("metadata.managedFields must be nil");
        }

        ManagedFieldsState managed;
        try
        {
            managed = ManagedFieldsState.Decode(live?["metadata"]?["managedFields"]);
        }
        catch (FormatException e)
        {
            throw PatchErrors.Unknown($"failed to decode managed fields: {e.Message}");
        }

        var type = SsaType.ForType(schema);
        var ignored = options.IgnoredSet();
        var liveObj = live == null ? new JsonObject() : (JsonObject)ManagedFields.WithoutManagedFields(live).DeepClone();
        ManagedFields.RemoveManagedFields(liveObj);
        var key = new ManagerKey(manager.Length == 0 ? "unknown" : manager, ManagerKey.Apply, apiVersion, options.Subresource ?? "");

        JsonObject result;
        try
        {
            (result, managed) = ApplyOnce(liveObj, applied, type, ignored, managed, key, force, schema, now);
        }
        catch (ConflictsException conflicts) when (manager == "kubectl" && !force)
        {
            // kubectl apply --server-side after client-side applies: the fields of the last applied
            // configuration that are still as it set them are not conflicts.
            var allowed = AllowedFromLastApplied(liveObj, type, apiVersion);
            var remaining = allowed == null
                ? conflicts.Conflicts
                : conflicts.Conflicts.Where(c => !allowed.Has(c.Path)).ToList();
            if (remaining.Count > 0)
            {
                throw ConflictError(remaining);
            }
            (result, managed) = ApplyOnce(liveObj, applied, type, ignored, managed, key, true, schema, now);
        }
        catch (ConflictsException conflicts)
        {
            throw ConflictError(conflicts.Conflicts);
        }
        catch (TypedError e)
        {
            throw PatchErrors.Unknown($"failed to create typed patch object ({ObjectName(applied)}; {Gvk(apiVersion, kind)}): {e.Message}");
        }

        if (manager == "kubectl" && result["metadata"]?["annotations"]?[LastAppliedAnnotation] is JsonValue last &&
            JsonValues.Kind(last) == JsonKind.String && JsonValues.Str(last).Length > 0)
        {
            result["metadata"]!["annotations"]![LastAppliedAnnotation] = LastAppliedOf(applied);
        }
        ManagedFields.SetManagedFields(result, managed);
        return result;
    }

    private static (JsonObject Result, ManagedFieldsState Managed) ApplyOnce(
        JsonObject liveObj, JsonObject applied, SsaType type, FieldSet? ignored, ManagedFieldsState original,
        ManagerKey key, bool force, TypeSchema schema, DateTime now)
    {
        var managed = original.Copy();
        // Work on the object as upstream's typed object has it (zero-value structs in place).
        var zero = GoZeroValues.For(schema);
        var live = GoZeroValues.Overlay(liveObj, zero);
        if (managed.Fields.Count == 0)
        {
            // Give the fields already there an owner before the first apply, so that changing them conflicts.
            var before = new ManagerKey("before-first-apply", ManagerKey.Update, key.ApiVersion, key.Subresource);
            ManagedFields.RecordUpdate(managed, zero, live, type, ignored, before, now);
        }
        var updater = new Updater(type, ignored);
        var merged = updater.Apply(live, applied, key.ApiVersion, managed.Fields, key, force);
        managed.Strip(key);
        JsonObject result;
        if (merged != null)
        {
            managed.Times[key] = now;
            result = (JsonObject)merged;
            GoZeroValues.Trim(result, zero, liveObj);
        }
        else
        {
            result = (JsonObject)liveObj.DeepClone();
        }
        managed.CapUpdateManagers();
        return (result, managed);
    }

    /// <summary>
    /// The fields of the last-applied-configuration annotation whose values the live object still has;
    /// null when there is no usable annotation.
    /// </summary>
    private static FieldSet? AllowedFromLastApplied(JsonObject live, SsaType type, string apiVersion)
    {
        if (live["metadata"]?["annotations"]?[LastAppliedAnnotation] is not JsonValue value || JsonValues.Kind(value) != JsonKind.String)
        {
            return null;
        }
        try
        {
            if (JsonNode.Parse(JsonValues.Str(value)) is not JsonObject lastApplied || TextOf(lastApplied["apiVersion"]) != apiVersion)
            {
                return null;
            }
            var set = TypedValue.ToFieldSet(lastApplied, type, strict: true);
            var comparison = TypedValue.Compare(lastApplied, live, type);
            return set.Difference(comparison.Modified);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or TypedError)
        {
            return null;
        }
    }

    /// <summary>The annotation value upstream writes: the applied object without the annotation, as Go encodes it.</summary>
    private static string LastAppliedOf(JsonObject applied)
    {
        var copy = (JsonObject)applied.DeepClone();
        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(LastAppliedAnnotation);
        }
        return JsonValues.GoJson(copy) + "\n";
    }

    /// <summary>409 Conflict worded as upstream's <c>NewConflictError</c>.</summary>
    private static ApiException ConflictError(IReadOnlyList<(ManagerKey Manager, PathElement[] Path)> conflicts)
    {
        var causes = conflicts.Select(c => new V1StatusCause
        {
            Reason = "FieldManagerConflict",
            Message = $"conflict with {c.Manager.Describe()}",
            Field = PathElement.PathString(c.Path),
        }).ToList();
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Manager.Describe()}: {PathElement.PathString(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key.Identifier, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key.Describe()}:");
                lines.AddRange(group.Select(c => $"- {PathElement.PathString(c.Path)}"));
            }
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        return new ApiException(409, "Conflict", message, new V1StatusDetails { Causes = causes });
    }

    private static string TextOf(JsonNode? node) => node is JsonValue v && JsonValues.Kind(v) == JsonKind.String ? JsonValues.Str(v) : "";

    /// <summary>Go's GroupVersionKind.String(): <c>apps/v1, Kind=Deployment</c>, <c>/v1, Kind=Pod</c>.</summary>
    private static string Gvk(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return $"{group}/{version}, Kind={kind}";
    }

    private static string ObjectName(JsonObject obj) =>
        $"{TextOf(obj["metadata"]?["namespace"])}/{TextOf(obj["metadata"]?["name"])}";
}
