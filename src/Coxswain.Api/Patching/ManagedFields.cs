using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Coxswain.Api.Resources;
using Coxswain.Api.Schema;

namespace Coxswain.Api.Patching;

/// <summary>
/// <c>metadata.managedFields</c> for ordinary writes (create, update, JSON/merge/strategic patch), as
/// upstream's field manager keeps it: the writer's <c>Update</c> entry gains the fields the write
/// added or changed, those fields leave the other managers' entries, removed fields leave everyone.
/// </summary>
public static class ManagedFields
{
    /// <summary>Upstream's limit on field manager names.</summary>
    public const int FieldManagerMaxLength = 128;

    /// <summary>
    /// The field manager of a request: the <c>fieldManager</c> query parameter, else the user agent up
    /// to its first "/" (non-printable characters dropped, at most 128 bytes), as upstream derives it
    /// (<c>kubectl/v1.32.4 (linux/amd64) ...</c> gives <c>kubectl</c>).
    /// </summary>
    public static string ManagerName(string? fieldManager, string? userAgent)
    {
        if (!string.IsNullOrEmpty(fieldManager))
        {
            return fieldManager;
        }
        var prefix = (userAgent ?? "").Split('/')[0];
        var sb = new StringBuilder();
        var bytes = 0;
        foreach (var rune in prefix.EnumerateRunes())
        {
            if (!IsPrint(rune))
            {
                continue;
            }
            if (bytes + rune.Utf8SequenceLength > FieldManagerMaxLength)
            {
                break;
            }
            bytes += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(Rune rune) =>
        rune.Value == ' ' || Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);

    /// <summary>
    /// Returns <paramref name="newObj"/> (copied) with its managedFields updated for a non-apply write
    /// by <paramref name="manager"/> at <paramref name="apiVersion"/>. <paramref name="oldObj"/> is the
    /// stored object, or null for a create. The schema is looked up by the object's kind.
    /// </summary>
    /// <param name="operation">Must be "Update": apply goes through <see cref="ServerSideApply.Apply"/>.</param>
    public static JsonObject UpdateForWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string apiVersion, DateTime now)
    {
        if (operation != ManagerKey.Update)
        {
            throw new ArgumentException("only Update writes are recorded here; use ServerSideApply.Apply for Apply", nameof(operation));
        }
        var kind = newObj["kind"] is JsonValue k && JsonValues.Kind(k) == JsonKind.String ? JsonValues.Str(k) : null;
        var def = kind == null ? null : ResourceCatalog.Default.FindByKind(apiVersion, kind);
        if (def == null)
        {
            throw new ArgumentException($"no served kind {kind} in {apiVersion}; pass the schema", nameof(newObj));
        }
        return UpdateForWrite(oldObj, newObj, ModelSchemas.For(def.ModelType), manager, apiVersion, now);
    }

    /// <summary>
    /// Returns <paramref name="newObj"/> (copied) with its managedFields updated for a non-apply write.
    /// </summary>
    /// <remarks>
    /// As upstream: managedFields sent in <paramref name="newObj"/> replace the stored ones (sending
    /// <c>[]</c> clears them; omitting them keeps the stored ones; a subresource write always keeps
    /// the stored ones); an existing object without managedFields is not tracked by updates; a write
    /// that changes nothing leaves the entries (and their times) alone; beyond 10 Update entries the
    /// oldest merge into "ancient-changes". Failures never fail the write: the object is returned
    /// without managedFields, as upstream does.
    /// </remarks>
    public static JsonObject UpdateForWrite(JsonObject? oldObj, JsonObject newObj, TypeSchema schema, string manager, string apiVersion, DateTime now, FieldManagerOptions? options = null)
    {
        var result = (JsonObject)newObj.DeepClone();
        var entries = EntriesForWrite((JsonObject?)oldObj?.DeepClone(), (JsonObject)newObj.DeepClone(), schema, manager, apiVersion, now, options);
        RemoveManagedFields(result);
        if (entries != null)
        {
            ((JsonObject)result["metadata"]!)["managedFields"] = entries;
        }
        return result;
    }

    /// <summary>
    /// The managedFields entries <see cref="UpdateForWrite(JsonObject?, JsonObject, TypeSchema, string, string, DateTime, FieldManagerOptions?)"/>
    /// would give the written object, or null for none. Both objects are consumed (changed in place): the write path
    /// converts them for this alone, and copying them again cost a noticeable share of every write.
    /// </summary>
    public static JsonArray? EntriesForWrite(JsonObject? oldObj, JsonObject newObj, TypeSchema schema, string manager, string apiVersion, DateTime now, FieldManagerOptions? options = null)
    {
        options ??= new FieldManagerOptions();
        try
        {
            var managed = DecodeLiveOrNew(oldObj, newObj, options.Subresource != null);
            if (managed.Fields.Count == 0 && HasUid(oldObj))
            {
                // An existing object without managedFields stays untracked until someone applies.
                return null;
            }
            RemoveManagedFields(newObj);
            var key = new ManagerKey(manager.Length == 0 ? "unknown" : manager, ManagerKey.Update, apiVersion, options.Subresource ?? "");
            // Compare as upstream compares typed objects: with the zero value's structs in place.
            var zero = GoZeroValues.For(schema);
            JsonObject old;
            if (oldObj == null)
            {
                old = zero;
            }
            else
            {
                RemoveManagedFields(oldObj);
                GoZeroValues.Fill(oldObj, zero);
                old = oldObj;
            }
            GoZeroValues.Fill(newObj, zero);
            RecordUpdate(managed, old, newObj, SsaType.ForType(schema), options.IgnoredSet(), key, now);
            managed.CapUpdateManagers();
            return managed.Encode();
        }
        catch (Exception e) when (e is FormatException or TypedError or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The write's fields go to <paramref name="key"/> (upstream runs the update as a temporary
    /// "current-operation" manager and merges it into the writer's entry, whose time then moves).
    /// </summary>
    internal static void RecordUpdate(ManagedFieldsState managed, JsonNode oldObj, JsonNode newObj, SsaType type, FieldSet? ignored, ManagerKey key, DateTime now)
    {
        var self = new ManagerKey("current-operation", "", key.ApiVersion);
        new Updater(type, ignored).Update(WithoutManagedFields(oldObj), WithoutManagedFields(newObj), key.ApiVersion, managed.Fields, self);
        managed.Strip(self);
        if (managed.Fields.Remove(self, out var vs))
        {
            managed.Fields[key] = managed.Fields.TryGetValue(key, out var previous)
                ? vs with { Set = vs.Set.Union(previous.Set), Applied = false }
                : vs;
            managed.Times[key] = now;
        }
    }

    private static ManagedFieldsState DecodeLiveOrNew(JsonObject? oldObj, JsonObject newObj, bool isSubresource)
    {
        if (isSubresource)
        {
            return DecodeOrEmpty(oldObj);
        }
        var sent = newObj["metadata"]?["managedFields"];
        if (IsReset(sent))
        {
            return new ManagedFieldsState();
        }
        try
        {
            var managed = ManagedFieldsState.Decode(sent);
            if (managed.Fields.Count > 0)
            {
                return managed;
            }
        }
        catch (FormatException)
        {
        }
        return DecodeOrEmpty(oldObj);
    }

    /// <summary><c>managedFields: []</c> or <c>[{}]</c> clears the entries.</summary>
    private static bool IsReset(JsonNode? managedFields) =>
        managedFields is JsonArray a && (a.Count == 0 || (a.Count == 1 && a[0] is JsonObject { Count: 0 }));

    private static ManagedFieldsState DecodeOrEmpty(JsonObject? obj)
    {
        try
        {
            return ManagedFieldsState.Decode(obj?["metadata"]?["managedFields"]);
        }
        catch (FormatException)
        {
            return new ManagedFieldsState();
        }
    }

    private static bool HasUid(JsonObject? obj) =>
        obj?["metadata"]?["uid"] is JsonValue uid && JsonValues.Kind(uid) == JsonKind.String && JsonValues.Str(uid).Length > 0;

    internal static JsonNode WithoutManagedFields(JsonNode obj)
    {
        if (obj["metadata"] is JsonObject meta && meta.ContainsKey("managedFields"))
        {
            var copy = obj.DeepClone();
            ((JsonObject)copy["metadata"]!).Remove("managedFields");
            return copy;
        }
        return obj;
    }

    internal static void RemoveManagedFields(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            meta.Remove("managedFields");
        }
    }

    internal static void SetManagedFields(JsonObject obj, ManagedFieldsState managed)
    {
        var entries = managed.Encode();
        if (obj["metadata"] is not JsonObject meta)
        {
            if (entries == null)
            {
                return;
            }
            obj["metadata"] = meta = new JsonObject();
        }
        if (entries == null)
        {
            meta.Remove("managedFields");
        }
        else
        {
            meta["managedFields"] = entries;
        }
    }
}
