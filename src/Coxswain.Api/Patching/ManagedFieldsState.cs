using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

/// <summary>
/// Who a managedFields entry belongs to: upstream identifies a manager by the entry without its time
/// and fields (manager, operation, apiVersion, subresource), so one field manager that both applies
/// and updates, or writes in two versions, has several entries.
/// </summary>
internal sealed record ManagerKey(string Manager, string Operation, string ApiVersion, string Subresource = "")
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public bool IsApply => Operation == Apply;

    /// <summary>The JSON identifier upstream uses as map key (<c>BuildManagerIdentifier</c>).</summary>
    public string Identifier
    {
        get
        {
            var sb = new StringBuilder("{");
            void Field(string name, string value)
            {
                if (value.Length == 0)
                {
                    return;
                }
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }
                sb.Append('"').Append(name).Append("\":");
                JsonValues.GoQuote(value, sb);
            }
            Field("manager", Manager);
            Field("operation", Operation);
            Field("apiVersion", ApiVersion);
            Field("subresource", Subresource);
            return sb.Append('}').ToString();
        }
    }

    /// <summary>How conflict messages name the manager: <c>"kubectl"</c>, <c>"x" using apps/v1</c>, <c>"x" with subresource "status" using v1</c>.</summary>
    public string Describe()
    {
        var s = JsonValues.GoQuote(Manager);
        if (Subresource.Length > 0)
        {
            s += $" with subresource {JsonValues.GoQuote(Subresource)}";
        }
        return Operation == Update ? $"{s} using {ApiVersion}" : s;
    }
}

/// <summary>The fields one manager owns, at the API version it used; Applied for Apply entries.</summary>
internal sealed record VersionedSet(FieldSet Set, string ApiVersion, bool Applied);

/// <summary>The decoded managedFields of an object: sets and times by manager.</summary>
internal sealed class ManagedFieldsState
{
    public Dictionary<ManagerKey, VersionedSet> Fields { get; } = [];

    public Dictionary<ManagerKey, DateTime?> Times { get; } = [];

    public ManagedFieldsState Copy()
    {
        var copy = new ManagedFieldsState();
        foreach (var (k, v) in Fields)
        {
            copy.Fields[k] = v;
        }
        foreach (var (k, v) in Times)
        {
            copy.Times[k] = v;
        }
        return copy;
    }

    /// <summary>Decodes <c>metadata.managedFields</c> (<c>DecodeManagedFields</c>); malformed entries are errors.</summary>
    public static ManagedFieldsState Decode(JsonNode? managedFields)
    {
        var state = new ManagedFieldsState();
        if (managedFields == null)
        {
            return state;
        }
        if (managedFields is not JsonArray entries)
        {
            throw new FormatException("managedFields must be a list");
        }
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry)
            {
                throw new FormatException($"managed fields entry {i} is not an object");
            }
            var operation = Text(entry, "operation");
            if (operation is not (ManagerKey.Apply or ManagerKey.Update))
            {
                throw new FormatException("operation must be `Apply` or `Update`");
            }
            var apiVersion = Text(entry, "apiVersion");
            if (apiVersion.Length == 0)
            {
                throw new FormatException("apiVersion must not be empty");
            }
            var fieldsType = Text(entry, "fieldsType");
            if (fieldsType != "FieldsV1")
            {
                throw new FormatException(fieldsType.Length == 0
                    ? $"missing fieldsType in managed fields entry {i}"
                    : $"invalid fieldsType \"{fieldsType}\" in managed fields entry {i}");
            }
            var key = new ManagerKey(Text(entry, "manager"), operation, apiVersion, Text(entry, "subresource"));
            var set = entry["fieldsV1"] switch
            {
                null => new FieldSet(),
                JsonObject fields => FieldSet.FromJson(fields),
                _ => throw new FormatException($"fieldsV1 of managed fields entry {i} is not an object"),
            };
            state.Fields[key] = new VersionedSet(set, apiVersion, operation == ManagerKey.Apply);
            state.Times[key] = entry["time"] is JsonValue t && JsonValues.Kind(t) == JsonKind.String
                ? DateTime.Parse(JsonValues.Str(t), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
                : null;
        }
        return state;
    }

    private static string Text(JsonObject entry, string name) =>
        entry[name] is JsonValue v && JsonValues.Kind(v) == JsonKind.String ? JsonValues.Str(v) : "";

    /// <summary>
    /// The managedFields entries (<c>encodeManagedFields</c>), sorted as upstream sorts them:
    /// operation (Apply first), time in seconds, manager, apiVersion, subresource. Null when empty.
    /// </summary>
    public JsonArray? Encode()
    {
        if (Fields.Count == 0)
        {
            return null;
        }
        var sorted = Fields.Keys
            .OrderBy(k => k.Operation, StringComparer.Ordinal)
            .ThenBy(k => Seconds(Times.GetValueOrDefault(k)))
            .ThenBy(k => k.Manager, StringComparer.Ordinal)
            .ThenBy(k => k.ApiVersion, StringComparer.Ordinal)
            .ThenBy(k => k.Subresource, StringComparer.Ordinal);
        var array = new JsonArray();
        foreach (var key in sorted)
        {
            var entry = new JsonObject
            {
                ["manager"] = key.Manager,
                ["operation"] = key.Operation,
                ["apiVersion"] = key.ApiVersion,
            };
            if (Times.GetValueOrDefault(key) is { } time)
            {
                entry["time"] = FormatTime(time);
            }
            entry["fieldsType"] = "FieldsV1";
            entry["fieldsV1"] = Fields[key].Set.ToJson();
            if (key.Subresource.Length > 0)
            {
                entry["subresource"] = key.Subresource;
            }
            array.Add(entry);
        }
        return array;
    }

    internal static long Seconds(DateTime? t) => t == null ? 0 : new DateTimeOffset(DateTime.SpecifyKind(t.Value, DateTimeKind.Utc)).ToUnixTimeSeconds();

    /// <summary>metav1.Time: RFC 3339 in UTC, whole seconds.</summary>
    public static string FormatTime(DateTime t) =>
        DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Utc)
            .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Drops the fields no manager may own from one manager's set (<c>stripMetaManager</c>).</summary>
    public void Strip(ManagerKey manager)
    {
        if (!Fields.TryGetValue(manager, out var vs))
        {
            return;
        }
        var set = vs.Set.Difference(StripSet);
        if (set.Empty)
        {
            Fields.Remove(manager);
        }
        else
        {
            Fields[manager] = vs with { Set = set };
        }
    }

    /// <summary>apiVersion, kind, metadata and the server-set metadata fields.</summary>
    private static readonly FieldSet StripSet = FieldSet.Of(
        [PathElement.Field("apiVersion")],
        [PathElement.Field("kind")],
        [PathElement.Field("metadata")],
        [PathElement.Field("metadata"), PathElement.Field("name")],
        [PathElement.Field("metadata"), PathElement.Field("namespace")],
        [PathElement.Field("metadata"), PathElement.Field("creationTimestamp")],
        [PathElement.Field("metadata"), PathElement.Field("selfLink")],
        [PathElement.Field("metadata"), PathElement.Field("uid")],
        [PathElement.Field("metadata"), PathElement.Field("clusterName")],
        [PathElement.Field("metadata"), PathElement.Field("generation")],
        [PathElement.Field("metadata"), PathElement.Field("managedFields")],
        [PathElement.Field("metadata"), PathElement.Field("resourceVersion")]);

    /// <summary>Upstream keeps at most this many Update entries; older ones merge into "ancient-changes".</summary>
    public const int MaxUpdateManagers = 10;

    /// <summary>
    /// Merges the oldest Update entries into per-version "ancient-changes" entries until at most
    /// <see cref="MaxUpdateManagers"/> remain (<c>capManagersManager</c>, step for step: the oldest
    /// entry of a version becomes the bucket when the second oldest is merged into it).
    /// </summary>
    public void CapUpdateManagers()
    {
        var updaters = Fields.Where(kv => !kv.Value.Applied).Select(kv => kv.Key).ToList();
        if (updaters.Count <= MaxUpdateManagers)
        {
            return;
        }
        updaters = updaters
            .OrderBy(k => Seconds(Times.GetValueOrDefault(k)))
            .ThenBy(k => k.Identifier, StringComparer.Ordinal)
            .ToList();
        var firstByVersion = new Dictionary<string, ManagerKey>(StringComparer.Ordinal);
        var length = updaters.Count;
        for (var i = 0; i < updaters.Count && length > MaxUpdateManagers; i++)
        {
            var manager = updaters[i];
            var vs = Fields[manager];
            var bucket = new ManagerKey("ancient-changes", ManagerKey.Update, vs.ApiVersion);
            if (!firstByVersion.TryGetValue(vs.ApiVersion, out var first))
            {
                firstByVersion[vs.ApiVersion] = manager;
                continue;
            }
            if (!Fields.ContainsKey(bucket))
            {
                Fields[bucket] = Fields[first];
                Fields.Remove(first);
            }
            Fields[bucket] = vs with { Set = vs.Set.Union(Fields[bucket].Set) };
            Fields.Remove(manager);
            length--;
            Times[bucket] = Times.GetValueOrDefault(manager);
        }
        foreach (var key in Times.Keys.Where(k => !Fields.ContainsKey(k)).ToList())
        {
            Times.Remove(key);
        }
    }
}
