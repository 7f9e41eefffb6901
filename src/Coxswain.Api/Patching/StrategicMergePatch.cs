using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Schema;
using GoMap = System.Collections.Generic.OrderedDictionary<string, object?>;
using GoList = System.Collections.Generic.List<object?>;

namespace Coxswain.Api.Patching;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>) with the semantics of
/// upstream's apimachinery <c>pkg/util/strategicpatch</c> as the API server applies it
/// (<c>StrategicMergeMapPatch</c>, merging parallel lists, ignoring unmatched nulls).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Objects merge key by key; <c>null</c> deletes a key. Values added where the original has
/// none have their nulls and <c>$patch</c> elements dropped.</item>
/// <item>Lists whose field has the <c>merge</c> strategy merge: lists of objects by the field's merge
/// key (a patch element updates the element with the same key or is added), lists of scalars as a
/// union. Other lists, and fields with the <c>replace</c> strategy, are replaced by the patch value.</item>
/// <item>Directives: <c>$patch: replace|delete</c> in an object; <c>$patch: replace</c> and
/// <c>{key, $patch: delete}</c> elements in a merged list; <c>$setElementOrder/field</c>,
/// <c>$deleteFromPrimitiveList/field</c> and <c>$retainKeys</c>. <c>$patch: merge</c> is rejected as
/// upstream rejects it.</item>
/// <item>Merged list order: items named in the patch in the patch's (or <c>$setElementOrder</c>'s)
/// order, interleaved with the remaining live items in their live order, exactly as upstream.</item>
/// <item>Fields the schema does not know (and values of <see cref="SchemaKind.Any"/>) have no patch
/// metadata: their objects merge and their lists are replaced (merge-patch behaviour). Upstream
/// errors when it cannot find such a field in its Go struct; Coxswain merges instead.</item>
/// </list>
/// Errors are answered as upstream does: malformed directives 400 BadRequest, lists of lists 422,
/// every other failure (missing merge key, unknown <c>$patch</c>, ...) 500 with upstream's message.
/// </remarks>
public static class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string DeleteDirective = "delete";
    private const string ReplaceDirective = "replace";
    private const string MergeDirective = "merge";
    private const string RetainKeysStrategy = "retainKeys";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string SetElementOrderPrefix = "$setElementOrder";

    private const string ErrBadPatchFormatForPrimitiveList = "invalid patch format of primitive list";
    private const string ErrBadPatchFormatForRetainKeys = "invalid patch format of retainKeys";
    private const string ErrBadPatchFormatForSetElementOrderList = "invalid patch format of setElementOrder list";
    private const string ErrNoListOfLists = "lists of lists are not supported";

    /// <summary>
    /// Applies <paramref name="patch"/> to a copy of <paramref name="doc"/> (an object) using the patch
    /// metadata of <paramref name="schema"/> (the object's model, e.g. <c>ModelSchemas.For(typeof(V1Pod))</c>).
    /// A null patch changes nothing. The inputs are not modified.
    /// </summary>
    /// <exception cref="ApiException">
    /// 400 when the patch is not a JSON object or a directive is malformed; 422 for lists of lists;
    /// 500 (empty reason, upstream's message) for the other failures upstream returns as plain errors.
    /// </exception>
    public static JsonObject Apply(JsonNode doc, JsonNode? patch, TypeSchema schema)
    {
        if (doc is not JsonObject docObj)
        {
            throw new ArgumentException("the document of a strategic merge patch must be a JSON object", nameof(doc));
        }
        if (patch == null)
        {
            return (JsonObject)docObj.DeepClone();
        }
        if (patch is not JsonObject patchObj)
        {
            throw ApiException.BadRequest($"json: cannot unmarshal {JsonValues.GoJsonTypeWord(patch)} into Go value of type map[string]interface {{}}");
        }
        try
        {
            var merged = MergeMap(GoValues.FromObject(docObj), GoValues.FromObject(patchObj), schema);
            return (JsonObject)GoValues.ToNode(merged)!;
        }
        catch (PatchFailure e)
        {
            throw e.ToApiException();
        }
    }

    // ---- patch metadata lookup ----

    private readonly record struct PatchMeta(TypeSchema? Schema, string? Strategy, string? MergeKey);

    /// <summary>The metadata of field <paramref name="key"/> of an object (or of a map's values).</summary>
    private static PatchMeta LookupStruct(TypeSchema? schema, string key)
    {
        if (schema == null)
        {
            return default;
        }
        switch (schema.Kind)
        {
            case SchemaKind.Object:
                var prop = schema.Property(key);
                return prop == null ? default : new PatchMeta(prop.Type, prop.PatchStrategy, prop.PatchMergeKey);
            case SchemaKind.Map:
                return new PatchMeta(schema.Items, null, null);
            default:
                return default;
        }
    }

    /// <summary>Like <see cref="LookupStruct"/> for a list field; the schema is the element type.</summary>
    private static PatchMeta LookupSlice(TypeSchema? schema, string key)
    {
        var meta = LookupStruct(schema, key);
        var element = meta.Schema?.Kind == SchemaKind.Array ? meta.Schema.Items : null;
        return meta with { Schema = element };
    }

    /// <summary>Splits "merge,retainKeys" into the retainKeys flag and the other strategy.</summary>
    private static string ExtractRetainKeysStrategy(string? strategy)
    {
        if (string.IsNullOrEmpty(strategy))
        {
            return "";
        }
        var parts = strategy.Split(',');
        switch (parts.Length)
        {
            case 1:
                return parts[0] == RetainKeysStrategy ? "" : parts[0];
            case 2 when parts[0] == RetainKeysStrategy:
                return parts[1];
            case 2 when parts[1] == RetainKeysStrategy:
                return parts[0];
            default:
                throw new PatchFailure($"unexpected patch strategy: [{string.Join(" ", parts)}]");
        }
    }

    private static string SchemaName(TypeSchema? schema) => schema?.ModelName ?? schema?.Kind.ToString().ToLowerInvariant() ?? "";

    // ---- errors worded as upstream's mergepatch package ----

    private static PatchFailure ErrNoMergeKey(GoMap m, string key) =>
        new($"map: {GoValues.Format(m)} does not contain declared merge key: {key}");

    private static PatchFailure ErrBadArgType(string expected, object? actual) =>
        new($"expected a {expected}, but received a {GoValues.TypeName(actual)}");

    private static PatchFailure ErrBadPatchType(object? t, GoMap m) =>
        new($"unknown patch type: {GoValues.FormatS(t)} in map: {GoValues.Format(m)}");

    // ---- maps ----

    private static GoMap MergeMap(GoMap? original, GoMap patch, TypeSchema? schema)
    {
        if (patch.TryGetValue(DirectiveMarker, out var directive))
        {
            return HandleDirectiveInMergeMap(directive, patch);
        }
        original ??= new GoMap(StringComparer.Ordinal);
        ApplyRetainKeysDirective(original, patch);
        MergePatchIntoOriginal(original, patch, schema);

        foreach (var (patchKey, patchV) in patch.ToList())
        {
            var key = patchKey;
            var isDeleteList = false;
            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                key = ExtractKey(key, DeleteFromPrimitiveListPrefix);
                isDeleteList = true;
            }
            if (patchV == null)
            {
                original.Remove(key);
                continue;
            }
            if (!original.TryGetValue(key, out var originalV) || GoValues.Kind(originalV) != GoValues.Kind(patchV))
            {
                if (!isDeleteList)
                {
                    DiscardNullValues(patchV);
                    SetOrRemove(original, key, RemoveDirectives(patchV));
                }
                continue;
            }
            switch (originalV)
            {
                case GoMap originalMap:
                    var structMeta = LookupStruct(schema, key);
                    original[key] = MergeMapHandler(originalMap, (GoMap)patchV, structMeta.Schema, ExtractRetainKeysStrategy(structMeta.Strategy));
                    break;
                case GoList originalList:
                    var sliceMeta = LookupSlice(schema, key);
                    original[key] = MergeSliceHandler(new GoSlice(originalList), (GoList)patchV, sliceMeta.Schema,
                        ExtractRetainKeysStrategy(sliceMeta.Strategy), sliceMeta.MergeKey ?? "", isDeleteList);
                    break;
                default:
                    SetOrRemove(original, key, RemoveDirectives(patchV));
                    break;
            }
        }
        return original;
    }

    private static void SetOrRemove(GoMap map, string key, (object? Value, bool Keep) result)
    {
        if (result.Keep)
        {
            map[key] = result.Value;
        }
        else
        {
            map.Remove(key);
        }
    }

    private static GoMap HandleDirectiveInMergeMap(object? directive, GoMap patch)
    {
        var name = GoValues.Kind(directive) == JsonKind.String ? JsonValues.Str((JsonNode)directive!) : null;
        if (name == ReplaceDirective)
        {
            // The patch replaces the map as it is (nested directives and nulls included).
            patch.Remove(DirectiveMarker);
            return patch;
        }
        if (name == DeleteDirective)
        {
            return new GoMap(StringComparer.Ordinal);
        }
        throw ErrBadPatchType(directive, patch);
    }

    private static GoMap MergeMapHandler(GoMap original, GoMap patch, TypeSchema? schema, string strategy) =>
        strategy != ReplaceDirective ? MergeMap(original, patch, schema) : patch;

    /// <summary>
    /// <c>$retainKeys</c>: every key of the original not listed is cleared; every non-null key of
    /// the patch must be listed.
    /// </summary>
    private static void ApplyRetainKeysDirective(GoMap original, GoMap patch)
    {
        if (!patch.Remove(RetainKeysDirective, out var retain))
        {
            return;
        }
        if (retain is not GoList list)
        {
            throw new PatchFailure(ErrBadPatchFormatForRetainKeys, PatchFailureKind.BadRequest);
        }
        var keep = list.Where(v => GoValues.Kind(v) == JsonKind.String).Select(v => JsonValues.Str((JsonNode)v!)).ToHashSet(StringComparer.Ordinal);
        foreach (var (k, v) in patch)
        {
            if (v == null || k.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal) || k.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (!keep.Contains(k))
            {
                throw new PatchFailure(ErrBadPatchFormatForRetainKeys, PatchFailureKind.BadRequest);
            }
        }
        foreach (var k in original.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            original.Remove(k);
        }
    }

    private static string ExtractKey(string s, string prefix)
    {
        var slash = s.IndexOf('/');
        if (slash < 0 || s[..slash] != prefix)
        {
            throw prefix switch
            {
                DeleteFromPrimitiveListPrefix => new PatchFailure(ErrBadPatchFormatForPrimitiveList, PatchFailureKind.BadRequest),
                _ => new PatchFailure(ErrBadPatchFormatForSetElementOrderList, PatchFailureKind.BadRequest),
            };
        }
        return s[(slash + 1)..];
    }

    /// <summary>Drops null members of objects, recursively, in place.</summary>
    private static void DiscardNullValues(object? value)
    {
        switch (value)
        {
            case GoMap map:
                foreach (var key in map.Where(kv => kv.Value == null).Select(kv => kv.Key).ToList())
                {
                    map.Remove(key);
                }
                foreach (var (_, v) in map)
                {
                    DiscardNullValues(v);
                }
                break;
            case GoList list:
                foreach (var v in list)
                {
                    DiscardNullValues(v);
                }
                break;
        }
    }

    /// <summary>Drops maps carrying <c>$patch</c> (and the members holding them); false when the value itself is one.</summary>
    private static (object? Value, bool Keep) RemoveDirectives(object? value)
    {
        switch (value)
        {
            case GoMap map:
                if (map.ContainsKey(DirectiveMarker))
                {
                    return (null, false);
                }
                foreach (var (k, v) in map.ToList())
                {
                    SetOrRemove(map, k, RemoveDirectives(v));
                }
                return (map, true);
            case GoList list:
                var kept = new GoList(list.Count);
                foreach (var v in list)
                {
                    var (nv, keep) = RemoveDirectives(v);
                    if (keep)
                    {
                        kept.Add(nv);
                    }
                }
                return (kept, true);
            default:
                return (value, true);
        }
    }

    // ---- $setElementOrder ----

    private static void MergePatchIntoOriginal(GoMap original, GoMap patch, TypeSchema? schema)
    {
        foreach (var key in patch.Keys.Where(k => k.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            patch.Remove(key, out var setOrderValue);
            if (setOrderValue is not GoList setOrder)
            {
                throw ErrBadArgType("[]interface {}", setOrderValue);
            }
            var originalKey = ExtractKey(key, SetElementOrderPrefix);
            var foundOriginal = original.TryGetValue(originalKey, out var originalRaw);
            var foundPatch = patch.TryGetValue(originalKey, out var patchRaw);
            GoList? originalList = null, patchList = null;
            if (foundOriginal)
            {
                originalList = originalRaw as GoList ?? throw ErrBadArgType("[]interface {}", originalRaw);
            }
            if (foundPatch)
            {
                patchList = patchRaw as GoList ?? throw ErrBadArgType("[]interface {}", patchRaw);
            }
            var meta = LookupSlice(schema, originalKey);
            var strategy = ExtractRetainKeysStrategy(meta.Strategy);
            var mergeKey = meta.MergeKey ?? "";
            ValidatePatchWithSetOrderList(patchList ?? [], setOrder, mergeKey);

            // Upstream keeps using its view of the live list after merging into it, and the merge
            // shifts and appends in place within that list's backing array (Go slice aliasing); the
            // order reference below is that view, which decides where live-only items land.
            GoList merged;
            var serverOrder = originalList ?? [];
            if (foundOriginal && !foundPatch)
            {
                merged = originalList!;
            }
            else if (!foundOriginal && foundPatch)
            {
                merged = (GoList)RemoveDirectives(patchList).Value!;
            }
            else if (foundOriginal && foundPatch)
            {
                var slice = new GoSlice(originalList!);
                var view = slice.Backing;
                merged = MergeSliceHandler(slice, patchList!, meta.Schema, strategy, mergeKey, false);
                serverOrder = [.. view];
            }
            else
            {
                continue;
            }

            var (patchItems, serverOnly) = mergeKey.Length == 0
                ? PartitionPrimitives(merged, setOrder)
                : PartitionMaps(merged, setOrder, mergeKey);
            var kind = SliceElementType(originalList ?? [], patchList ?? []);
            original[originalKey] = NormalizeElementOrder(patchItems, serverOnly, setOrder, serverOrder, mergeKey, kind);
            patch.Remove(originalKey);
        }
    }

    /// <summary>
    /// The patch list must be in the relative order of the <c>$setElementOrder</c> list and contain no
    /// item that the list does not name (deletions excepted).
    /// </summary>
    private static void ValidatePatchWithSetOrderList(GoList patchList, GoList setOrder, string mergeKey)
    {
        if (setOrder.Count == 0 || patchList.Count == 0)
        {
            return;
        }
        var nonDelete = mergeKey.Length > 0 ? ExtractToDeleteItems(patchList).NonDelete : patchList;
        int pi = 0, si = 0;
        while (pi < nonDelete.Count && si < setOrder.Count)
        {
            if (nonDelete[pi] is GoMap m && m.ContainsKey(DirectiveMarker))
            {
                pi++;
                continue;
            }
            if (MergeKeyValueEqual(nonDelete[pi], setOrder[si], mergeKey))
            {
                pi++;
            }
            si++;
        }
        if (pi < nonDelete.Count && si >= setOrder.Count)
        {
            throw new PatchFailure($"the order in patch list:\n{GoValues.Format(patchList)}\n doesn't match {SetElementOrderPrefix} list:\n{GoValues.Format(setOrder)}");
        }
    }

    private static bool MergeKeyValueEqual(object? left, object? right, string mergeKey)
    {
        if (mergeKey.Length == 0)
        {
            return GoValues.Equal(left, right);
        }
        var l = left as GoMap ?? throw ErrBadArgType("map[string]interface {}", left);
        var r = right as GoMap ?? throw ErrBadArgType("map[string]interface {}", right);
        if (!l.TryGetValue(mergeKey, out var lv))
        {
            throw ErrNoMergeKey(l, mergeKey);
        }
        if (!r.TryGetValue(mergeKey, out var rv))
        {
            throw ErrNoMergeKey(r, mergeKey);
        }
        return GoValues.Equal(lv, rv);
    }

    // ---- lists ----

    private static GoList MergeSliceHandler(GoSlice original, GoList patch, TypeSchema? elementSchema, string strategy, string mergeKey, bool isDeleteList) =>
        strategy == MergeDirective || isDeleteList
            ? MergeSlice(original, patch, elementSchema, mergeKey, isDeleteList)
            : patch;

    private static GoList MergeSlice(GoSlice original, GoList patch, TypeSchema? elementSchema, string mergeKey, bool isDeleteList)
    {
        if (original.Len == 0 && patch.Count == 0)
        {
            return original.ToList();
        }
        var kind = SliceElementType(original.ToList(), patch);
        GoList merged;
        GoList serverOrder;
        if (kind != JsonKind.Object)
        {
            if (isDeleteList)
            {
                return original.ToList().Where(v => !patch.Any(d => GoValues.Equal(v, d))).ToList();
            }
            if (patch.Count == 0)
            {
                // append(original) with nothing to add shares the array: deduplication happens in
                // place and upstream's order reference (the original slice) sees it.
                var (array, length) = (original.Backing, original.Len);
                DeduplicateScalars(original);
                merged = original.ToList();
                serverOrder = [.. array.AsSpan(0, length)];
            }
            else
            {
                serverOrder = original.ToList();
                var both = new GoSlice([.. original.ToList(), .. patch]);
                DeduplicateScalars(both);
                merged = both.ToList();
            }
        }
        else
        {
            if (mergeKey.Length == 0)
            {
                throw new PatchFailure($"cannot merge lists without merge key for {SchemaName(elementSchema)}");
            }
            (original, patch) = MergeSliceWithSpecialElements(original, patch, mergeKey);
            serverOrder = original.ToList();
            merged = MergeSliceWithoutSpecialElements(original, patch, mergeKey, elementSchema);
        }
        var (patchItems, serverOnly) = mergeKey.Length == 0
            ? PartitionPrimitives(merged, patch)
            : PartitionMaps(merged, patch, mergeKey);
        return NormalizeElementOrder(patchItems, serverOnly, patch, serverOrder, mergeKey, kind);
    }

    /// <summary>
    /// Handles the <c>$patch</c> elements of a patch list: <c>delete</c> removes the original
    /// elements with that key, <c>replace</c> makes the rest of the patch list the whole list.
    /// </summary>
    private static (GoSlice Original, GoList Patch) MergeSliceWithSpecialElements(GoSlice original, GoList patch, string mergeKey)
    {
        var withoutSpecial = new GoList();
        var replace = false;
        foreach (var v in patch)
        {
            var typed = (GoMap)v!;
            if (!typed.TryGetValue(DirectiveMarker, out var patchType))
            {
                withoutSpecial.Add(v);
                continue;
            }
            var name = GoValues.Kind(patchType) == JsonKind.String ? JsonValues.Str((JsonNode)patchType!) : null;
            switch (name)
            {
                case DeleteDirective:
                    if (!typed.TryGetValue(mergeKey, out var mergeValue))
                    {
                        throw ErrNoMergeKey(typed, mergeKey);
                    }
                    DeleteMatchingEntries(original, mergeKey, mergeValue);
                    break;
                case ReplaceDirective:
                    replace = true;
                    break;
                case MergeDirective:
                    throw new PatchFailure("merging lists cannot yet be specified in the patch");
                default:
                    throw ErrBadPatchType(patchType, typed);
            }
        }
        return replace ? (new GoSlice(withoutSpecial), []) : (original, withoutSpecial);
    }

    /// <summary>Deletes in place, as <c>append(s[:i], s[i+1:]...)</c> does.</summary>
    private static void DeleteMatchingEntries(GoSlice original, string mergeKey, object? mergeValue)
    {
        while (true)
        {
            var (_, index, found) = FindMapInSlice(original.ToList(), mergeKey, mergeValue);
            if (!found)
            {
                return;
            }
            original.DeleteAt(index);
        }
    }

    private static GoList MergeSliceWithoutSpecialElements(GoSlice result, GoList patch, string mergeKey, TypeSchema? elementSchema)
    {
        foreach (var v in patch)
        {
            var typed = (GoMap)v!;
            if (!typed.TryGetValue(mergeKey, out var mergeValue))
            {
                throw ErrNoMergeKey(typed, mergeKey);
            }
            var (originalMap, index, found) = FindMapInSlice(result.ToList(), mergeKey, mergeValue);
            if (found)
            {
                result.Set(index, MergeMap(originalMap, typed, elementSchema));
            }
            else
            {
                result.Append(v);
            }
        }
        return result.ToList();
    }

    private static (GoMap? Map, int Index, bool Found) FindMapInSlice(GoList list, string key, object? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not GoMap m)
            {
                throw new PatchFailure($"value for key {i} is not a map");
            }
            if (m.TryGetValue(key, out var v) && GoValues.Equal(v, value))
            {
                return (m, i, true);
            }
        }
        return (null, 0, false);
    }

    /// <summary>Upstream's in-place deduplication (a duplicate is overwritten by the last element).</summary>
    private static void DeduplicateScalars(GoSlice s)
    {
        var length = s.Len - 1;
        for (var i = 0; i < length; i++)
        {
            for (var j = i + 1; j <= length; j++)
            {
                if (GoValues.Equal(s.Backing[i], s.Backing[j]))
                {
                    s.Set(j, s.Backing[length]);
                    s.Len = length;
                    length--;
                    j--;
                }
            }
        }
    }

    /// <summary>
    /// A Go slice starting at index 0 of a backing array: deleting shifts in place and appending
    /// writes into the array while it has room, so older views of the array see those writes.
    /// </summary>
    private sealed class GoSlice
    {
        public GoSlice(GoList items)
        {
            Backing = [.. items];
            Len = items.Count;
        }

        public object?[] Backing { get; private set; }

        public int Len { get; set; }

        public GoList ToList() => [.. Backing.AsSpan(0, Len)];

        public void Set(int i, object? v) => Backing[i] = v;

        public void DeleteAt(int i)
        {
            Array.Copy(Backing, i + 1, Backing, i, Len - i - 1);
            Len--;
        }

        public void Append(object? v)
        {
            if (Len == Backing.Length)
            {
                var grown = new object?[Math.Max(4, Backing.Length * 2)];
                Array.Copy(Backing, grown, Len);
                Backing = grown;
            }
            Backing[Len++] = v;
        }
    }

    /// <summary>The common element kind of the lists; lists of lists and mixed kinds are errors.</summary>
    private static JsonKind SliceElementType(params GoList[] slices)
    {
        JsonKind? prev = null;
        foreach (var slice in slices)
        {
            foreach (var v in slice)
            {
                var current = GoValues.Kind(v);
                if (prev == null)
                {
                    if (current == JsonKind.Array)
                    {
                        throw new PatchFailure(ErrNoListOfLists, PatchFailureKind.Rejected);
                    }
                    prev = current;
                }
                else if (prev != current)
                {
                    throw new PatchFailure($"list element types are not identical: [{string.Join(" ", slices.Select(GoValues.Format))}]");
                }
            }
        }
        return prev ?? throw new PatchFailure("no elements in any of the given slices");
    }

    // ---- ordering ----

    private static (GoList Patch, GoList ServerOnly) PartitionPrimitives(GoList original, GoList partitionBy)
    {
        var patch = new GoList();
        var serverOnly = new GoList();
        foreach (var v in original)
        {
            (partitionBy.Any(p => GoValues.Equal(p, v)) ? patch : serverOnly).Add(v);
        }
        return (patch, serverOnly);
    }

    private static (GoList Patch, GoList ServerOnly) PartitionMaps(GoList original, GoList partitionBy, string mergeKey)
    {
        var patch = new GoList();
        var serverOnly = new GoList();
        foreach (var v in original)
        {
            var typed = v as GoMap ?? throw ErrBadArgType("map[string]interface {}", v);
            if (!typed.TryGetValue(mergeKey, out var value))
            {
                throw ErrNoMergeKey(typed, mergeKey);
            }
            (FindMapInSlice(partitionBy, mergeKey, value).Found ? patch : serverOnly).Add(v);
        }
        return (patch, serverOnly);
    }

    /// <summary>
    /// Sorts the patch items by the patch order and the server-only items by the live order, then
    /// interleaves them (<c>normalizeElementOrder</c>).
    /// </summary>
    private static GoList NormalizeElementOrder(GoList patch, GoList serverOnly, GoList patchOrder, GoList serverOrder, string mergeKey, JsonKind kind)
    {
        patch = NormalizeSliceOrder(patch, patchOrder, mergeKey, kind);
        serverOnly = NormalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
        return MergeSortedSlice(serverOnly, patch, serverOrder, mergeKey, kind);
    }

    private static GoList NormalizeSliceOrder(GoList toSort, GoList order, string mergeKey, JsonKind kind)
    {
        var sorted = new GoList(toSort);
        GoList toDelete = [];
        if (kind == JsonKind.Object)
        {
            ValidateMergeKeyInLists(mergeKey, sorted, order);
            (sorted, toDelete) = ExtractToDeleteItems(sorted);
        }
        GoStableSort.Sort(sorted, (a, b) =>
        {
            var ia = Index(order, a, mergeKey, kind);
            if (ia >= 0)
            {
                var ib = Index(order, b, mergeKey, kind);
                if (ib >= 0)
                {
                    return ia < ib;
                }
            }
            return true;
        });
        sorted.AddRange(toDelete);
        return sorted;
    }

    /// <summary>
    /// Inserts the server-only items (left) among the patch items (right): a left item goes before a
    /// right item only when both are in the live list and it comes first there.
    /// </summary>
    private static GoList MergeSortedSlice(GoList left, GoList right, GoList serverOrder, string mergeKey, JsonKind kind)
    {
        var result = new GoList(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count && j < right.Count)
        {
            var li = Index(serverOrder, left[i], mergeKey, kind);
            var ri = Index(serverOrder, right[j], mergeKey, kind);
            if (li >= 0 && ri >= 0 && li < ri)
            {
                result.Add(left[i++]);
            }
            else
            {
                result.Add(right[j++]);
            }
        }
        result.AddRange(left.Skip(i));
        result.AddRange(right.Skip(j));
        return result;
    }

    private static int Index(GoList list, object? value, string mergeKey, JsonKind kind)
    {
        var wanted = KeyOf(value, mergeKey, kind);
        for (var i = 0; i < list.Count; i++)
        {
            if (GoValues.Equal(wanted, KeyOf(list[i], mergeKey, kind)))
            {
                return i;
            }
        }
        return -1;
    }

    private static object? KeyOf(object? item, string mergeKey, JsonKind kind) =>
        kind != JsonKind.Object ? item : item is GoMap m && m.TryGetValue(mergeKey, out var v) ? v : null;

    private static void ValidateMergeKeyInLists(string mergeKey, params GoList[] lists)
    {
        foreach (var list in lists)
        {
            foreach (var item in list)
            {
                var m = item as GoMap ?? throw ErrBadArgType("map[string]interface {}", item);
                if (!m.ContainsKey(mergeKey))
                {
                    throw ErrNoMergeKey(m, mergeKey);
                }
            }
        }
    }

    private static (GoList NonDelete, GoList ToDelete) ExtractToDeleteItems(GoList list)
    {
        var nonDelete = new GoList();
        var toDelete = new GoList();
        foreach (var v in list)
        {
            var m = v as GoMap ?? throw ErrBadArgType("map[string]interface {}", v);
            var isDelete = m.TryGetValue(DirectiveMarker, out var d) && GoValues.Kind(d) == JsonKind.String && JsonValues.Str((JsonNode)d!) == DeleteDirective;
            (isDelete ? toDelete : nonDelete).Add(v);
        }
        return (nonDelete, toDelete);
    }
}
