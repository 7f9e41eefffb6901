using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

/// <summary>A value that does not fit its schema (structured-merge-diff's ValidationError: "path: message").</summary>
internal sealed class TypedError : Exception
{
    public TypedError(IEnumerable<PathElement> path, string message)
        : base($"{PathElement.PathString(path)}: {message}")
    {
    }
}

/// <summary>What changed between two objects: leaves and items added, modified, removed.</summary>
internal sealed class Comparison
{
    public FieldSet Added { get; init; } = new();
    public FieldSet Modified { get; init; } = new();
    public FieldSet Removed { get; init; } = new();

    public Comparison Filter(FieldSet? exclude) => exclude == null
        ? this
        : new Comparison
        {
            Added = Added.RecursiveDifference(exclude),
            Modified = Modified.RecursiveDifference(exclude),
            Removed = Removed.RecursiveDifference(exclude),
        };
}

/// <summary>
/// The operations of structured-merge-diff's <c>typed</c> package on JSON values with an
/// <see cref="SsaType"/>: the set of fields a value sets, merging a configuration into an object,
/// comparing two objects and removing items.
/// </summary>
internal static class TypedValue
{
    private enum Shape
    {
        Leaf,
        Object,
        List,
    }

    /// <summary>How a value of the type is walked: atomic leaves, granular objects or lists.</summary>
    private static Shape ShapeOf(SsaType t, JsonNode? a, JsonNode? b)
    {
        switch (t.Kind)
        {
            case SsaKind.Struct or SsaKind.Map:
                return Fits<JsonObject>(a) && Fits<JsonObject>(b) ? Shape.Object : Shape.Leaf;
            case SsaKind.List:
                return Fits<JsonArray>(a) && Fits<JsonArray>(b) ? Shape.List : Shape.Leaf;
            case SsaKind.Untyped:
                return Fits<JsonObject>(a) && Fits<JsonObject>(b) && (a is JsonObject || b is JsonObject) ? Shape.Object : Shape.Leaf;
            default:
                return Shape.Leaf;
        }
    }

    private static bool Fits<T>(JsonNode? v) => v == null || v is T;

    // ---- field sets ----

    /// <summary>
    /// The fields a value sets: every scalar and atomic value, every list item (and its fields),
    /// every map key, and fields whose value is null or an empty object. With <paramref name="strict"/>
    /// (an applied configuration), undeclared fields, misshapen values, bad list keys and duplicate
    /// list items are errors.
    /// </summary>
    public static FieldSet ToFieldSet(JsonNode? value, SsaType type, bool strict)
    {
        var set = new FieldSet();
        ToFieldSet(value, type, [], set, strict);
        return set;
    }

    private static void ToFieldSet(JsonNode? v, SsaType t, PathElement[] path, FieldSet set, bool strict)
    {
        if (strict)
        {
            CheckShape(v, t, path);
        }
        switch (ShapeOf(t, v, null))
        {
            case Shape.Leaf:
                set.Insert(path);
                return;
            case Shape.Object:
                if (t.Atomic)
                {
                    set.Insert(path);
                    return;
                }
                if (v is not JsonObject obj)
                {
                    return;
                }
                foreach (var (key, child) in obj)
                {
                    var ft = t.Field(key);
                    if (ft == null)
                    {
                        if (strict)
                        {
                            throw new TypedError([.. path, PathElement.Field(key)], "field not declared in schema");
                        }
                        ft = SsaType.Untyped;
                    }
                    PathElement[] childPath = [.. path, PathElement.Field(key)];
                    ToFieldSet(child, ft, childPath, set, strict);
                    if (child == null || (child is JsonObject o && o.Count == 0) || !t.IsNamedField(key))
                    {
                        set.Insert(childPath);
                    }
                }
                return;
            default:
                if (t.Atomic)
                {
                    set.Insert(path);
                    return;
                }
                if (v is not JsonArray array)
                {
                    return;
                }
                var seen = new HashSet<PathElement>();
                for (var i = 0; i < array.Count; i++)
                {
                    var pe = ItemPathElement(t, array[i], i, path, strict);
                    if (strict && !seen.Add(pe))
                    {
                        throw new TypedError(path, $"duplicate entries for key {pe}");
                    }
                    PathElement[] itemPath = [.. path, pe];
                    ToFieldSet(array[i], t.Element ?? SsaType.Untyped, itemPath, set, strict);
                    set.Insert(itemPath);
                }
                return;
        }
    }

    private static void CheckShape(JsonNode? v, SsaType t, PathElement[] path)
    {
        if (v == null)
        {
            return;
        }
        if (t.Kind is SsaKind.Struct or SsaKind.Map && v is not JsonObject)
        {
            throw new TypedError(path, $"expected map, got {Describe(v)}");
        }
        if (t.Kind == SsaKind.List && v is not JsonArray)
        {
            throw new TypedError(path, $"expected list, got {Describe(v)}");
        }
        if (t.Kind == SsaKind.Scalar && v is JsonObject or JsonArray)
        {
            throw new TypedError(path, $"expected scalar, got {Describe(v)}");
        }
    }

    private static string Describe(JsonNode v) => JsonValues.Kind(v) switch
    {
        JsonKind.Object => "map",
        JsonKind.Array => "list",
        _ => v.ToJsonString(),
    };

    /// <summary>
    /// The path element of a list item: its key fields (a key field the item omits takes its
    /// default) for map lists, its value for sets. Outside strict mode an item that cannot be keyed
    /// is addressed by index.
    /// </summary>
    private static PathElement ItemPathElement(SsaType list, JsonNode? item, int index, PathElement[] path, bool strict)
    {
        string? error = null;
        if (!list.Associative)
        {
            return PathElement.At(index);
        }
        if (list.Keys.Count > 0)
        {
            if (item == null)
            {
                error = "associative list with keys may not have a null element";
            }
            else if (item is not JsonObject obj)
            {
                error = "associative list with keys may not have non-map elements";
            }
            else
            {
                var fields = new List<KeyValuePair<string, JsonNode?>>();
                foreach (var key in list.Keys)
                {
                    if (obj.TryGetPropertyValue(key, out var kv))
                    {
                        fields.Add(new(key, kv));
                    }
                    else if (list.KeyDefault(key) is { } def)
                    {
                        fields.Add(new(key, def));
                    }
                    else
                    {
                        error = $"associative list with keys has an element that omits key field \"{key}\" (and doesn't have default value)";
                        break;
                    }
                }
                if (error == null)
                {
                    return PathElement.Key(fields);
                }
            }
        }
        else
        {
            error = item switch
            {
                JsonObject => "associative list without keys has an element that's a map type",
                JsonArray => "not supported: associative list with lists as elements",
                null => "associative list without keys has an element that's an explicit null",
                _ => null,
            };
            if (error == null)
            {
                return PathElement.ValueOf(item);
            }
        }
        if (strict)
        {
            throw new TypedError(path, $"element {index}: {error}");
        }
        return PathElement.At(index);
    }

    /// <summary>Adds the struct fields that have paths below them as members (<c>EnsureNamedFieldsAreMembers</c>).</summary>
    public static FieldSet EnsureNamedFieldsAreMembers(FieldSet set, SsaType type)
    {
        var result = new FieldSet();
        Ensure(set, type, [], result);
        return result;
    }

    private static void Ensure(FieldSet set, SsaType t, PathElement[] prefix, FieldSet into)
    {
        foreach (var m in set.Members)
        {
            into.Insert([.. prefix, m]);
        }
        foreach (var (pe, child) in set.Children)
        {
            if (child.Empty)
            {
                continue;
            }
            if (pe.Kind == PathElementKind.Field && t.IsNamedField(pe.FieldName!))
            {
                into.Insert([.. prefix, pe]);
            }
            var childType = pe.Kind == PathElementKind.Field ? t.Field(pe.FieldName!) ?? SsaType.Untyped : t.Element ?? SsaType.Untyped;
            Ensure(child, childType, [.. prefix, pe], into);
        }
    }

    // ---- merge and compare ----

    /// <summary>The configuration merged into the object (structured-merge-diff's <c>TypedValue.Merge</c>).</summary>
    public static JsonNode? Merge(JsonNode? lhs, JsonNode? rhs, SsaType type) =>
        new Walker(null).Walk(new(lhs, true), new(rhs, true), type, []).Node;

    /// <summary>What changed from <paramref name="lhs"/> to <paramref name="rhs"/>.</summary>
    public static Comparison Compare(JsonNode? lhs, JsonNode? rhs, SsaType type)
    {
        var comparison = new Comparison();
        new Walker(comparison).Walk(new(lhs, true), new(rhs, true), type, []);
        return comparison;
    }

    private readonly record struct Opt(JsonNode? Node, bool Has)
    {
        public static Opt None => new(null, false);
    }

    private sealed class Walker(Comparison? comparison)
    {
        public Opt Walk(Opt lhs, Opt rhs, SsaType t, PathElement[] path)
        {
            var l = lhs.Has ? lhs.Node : null;
            var r = rhs.Has ? rhs.Node : null;
            var shape = ShapeOf(t, l, r);
            if (shape == Shape.Object)
            {
                var lo = l as JsonObject;
                var ro = r as JsonObject;
                if (t.Atomic || ((lo == null || lo.Count == 0) && (ro == null || ro.Count == 0)))
                {
                    return Rule(lhs, rhs, path);
                }
                var result = Opt.None;
                if (lo != null || ro != null)
                {
                    var output = new JsonObject();
                    var keys = (lo?.Select(kv => kv.Key) ?? []).Concat(ro?.Select(kv => kv.Key).Where(k => lo == null || !lo.ContainsKey(k)) ?? []).ToList();
                    foreach (var key in keys)
                    {
                        var lc = lo != null && lo.TryGetPropertyValue(key, out var lv) ? new Opt(lv, true) : Opt.None;
                        var rc = ro != null && ro.TryGetPropertyValue(key, out var rv) ? new Opt(rv, true) : Opt.None;
                        var child = Walk(lc, rc, t.Field(key) ?? SsaType.Untyped, [.. path, PathElement.Field(key)]);
                        if (child.Has)
                        {
                            output[key] = child.Node;
                        }
                    }
                    result = output.Count > 0 ? new Opt(output, true) : Opt.None;
                }
                Hook(lhs, rhs, path);
                return result;
            }
            if (shape == Shape.List)
            {
                var la = l as JsonArray;
                var ra = r as JsonArray;
                if (t.Atomic || ((la == null || la.Count == 0) && (ra == null || ra.Count == 0)))
                {
                    return Rule(lhs, rhs, path);
                }
                var result = Opt.None;
                if (la != null || ra != null)
                {
                    var output = ListItems(t, la, ra, path);
                    result = output.Count > 0 ? new Opt(output, true) : Opt.None;
                }
                Hook(lhs, rhs, path);
                return result;
            }
            return Rule(lhs, rhs, path);
        }

        /// <summary>Leaves: the configuration's value wins; a comparison records the change.</summary>
        private Opt Rule(Opt lhs, Opt rhs, PathElement[] path)
        {
            if (comparison != null && path.Length > 0)
            {
                if (!lhs.Has)
                {
                    comparison.Added.Insert(path);
                }
                else if (!rhs.Has)
                {
                    comparison.Removed.Insert(path);
                }
                else if (!JsonValues.ValueEquals(lhs.Node, rhs.Node))
                {
                    comparison.Modified.Insert(path);
                }
            }
            var chosen = rhs.Has ? rhs : lhs;
            return chosen.Has ? new Opt(chosen.Node?.DeepClone(), true) : Opt.None;
        }

        /// <summary>Non-leaf items: a comparison records whole items added or removed.</summary>
        private void Hook(Opt lhs, Opt rhs, PathElement[] path)
        {
            if (comparison == null || path.Length == 0)
            {
                return;
            }
            if (!lhs.Has)
            {
                comparison.Added.Insert(path);
            }
            else if (!rhs.Has)
            {
                comparison.Removed.Insert(path);
            }
        }

        /// <summary>
        /// Merges list items by path element, keeping upstream's order: live items in their order,
        /// with the configuration's items in the configuration's order, shared items where the
        /// configuration puts them relative to each other.
        /// </summary>
        private JsonArray ListItems(SsaType t, JsonArray? lhs, JsonArray? rhs, PathElement[] path)
        {
            var element = t.Element ?? SsaType.Untyped;
            var (lhsPes, lhsItems, observedLhs) = Index(t, lhs, path, strict: false);
            var (rhsPes, _, observedRhs) = Index(t, rhs, path, strict: true);
            var shared = new Queue<PathElement>(rhsPes.Where(observedLhs.ContainsKey));
            PathElement? nextShared = shared.Count > 0 ? shared.Dequeue() : null;
            var mergedRhs = new HashSet<PathElement>();
            var output = new JsonArray();

            void Add(Opt item)
            {
                if (item.Has)
                {
                    output.Add(item.Node);
                }
            }

            int li = 0, ri = 0;
            while (li < lhsPes.Count || ri < rhsPes.Count)
            {
                if (li < lhsPes.Count && ri < rhsPes.Count)
                {
                    var pe = lhsPes[li];
                    if (pe.Equals(rhsPes[ri]))
                    {
                        mergedRhs.Add(pe);
                        Add(Walk(new(lhsItems[li], true), new(observedRhs[pe], true), element, [.. path, pe]));
                        li++;
                        ri++;
                        nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                        continue;
                    }
                    if (observedRhs.ContainsKey(pe) && nextShared != null && !nextShared.Equals(pe))
                    {
                        // A shared item, but not the one the configuration wants next.
                        li++;
                        continue;
                    }
                }
                if (li < lhsPes.Count)
                {
                    var pe = lhsPes[li];
                    if (!observedRhs.ContainsKey(pe))
                    {
                        Add(Walk(new(lhsItems[li], true), Opt.None, element, [.. path, pe]));
                        li++;
                        continue;
                    }
                    if (mergedRhs.Contains(pe))
                    {
                        li++;
                        continue;
                    }
                }
                if (ri < rhsPes.Count)
                {
                    var pe = rhsPes[ri];
                    mergedRhs.Add(pe);
                    var lc = observedLhs.TryGetValue(pe, out var lv) ? new Opt(lv, true) : Opt.None;
                    Add(Walk(lc, new(observedRhs[pe], true), element, [.. path, pe]));
                    ri++;
                    if (nextShared != null && nextShared.Equals(pe))
                    {
                        nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                    }
                }
            }
            return output;
        }

        private static (List<PathElement> Pes, List<JsonNode?> Items, Dictionary<PathElement, JsonNode?> Observed) Index(
            SsaType t, JsonArray? list, PathElement[] path, bool strict)
        {
            var pes = new List<PathElement>();
            var items = new List<JsonNode?>();
            var observed = new Dictionary<PathElement, JsonNode?>();
            if (list == null)
            {
                return (pes, items, observed);
            }
            for (var i = 0; i < list.Count; i++)
            {
                var pe = ItemPathElement(t, list[i], i, path, strict);
                if (observed.ContainsKey(pe))
                {
                    if (strict)
                    {
                        throw new TypedError(path, $"duplicate entries for key {pe}");
                    }
                    continue;
                }
                observed[pe] = list[i];
                pes.Add(pe);
                items.Add(list[i]);
            }
            return (pes, items, observed);
        }
    }

    // ---- removal ----

    /// <summary>
    /// The value without the items of <paramref name="toRemove"/> (<c>TypedValue.RemoveItems</c>).
    /// An object or list left empty by the removal becomes null (and is dropped from its parent).
    /// </summary>
    public static JsonNode? RemoveItems(JsonNode? value, FieldSet toRemove, SsaType type)
    {
        switch (ShapeOf(type, value, null))
        {
            case Shape.Object:
                if (value is not JsonObject obj || obj.Count == 0 || type.Atomic)
                {
                    return null;
                }
                var newMap = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    var pe = PathElement.Field(key);
                    if (toRemove.HasMember(pe))
                    {
                        continue;
                    }
                    var subset = toRemove.WithPrefix(pe);
                    if (subset.Empty)
                    {
                        newMap[key] = child?.DeepClone();
                        continue;
                    }
                    var kept = RemoveItems(child, subset, type.Field(key) ?? SsaType.Untyped);
                    if (kept != null || child == null)
                    {
                        newMap[key] = kept;
                    }
                }
                return newMap.Count > 0 ? newMap : null;
            case Shape.List:
                if (value is not JsonArray array || array.Count == 0 || type.Atomic)
                {
                    return null;
                }
                var newItems = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    var pe = ItemPathElement(type, array[i], i, [], strict: false);
                    if (toRemove.HasMember(pe))
                    {
                        continue;
                    }
                    var subset = toRemove.WithPrefix(pe);
                    newItems.Add(subset.Empty ? array[i]?.DeepClone() : RemoveItems(array[i], subset, type.Element ?? SsaType.Untyped));
                }
                return newItems.Count > 0 ? newItems : null;
            default:
                return value?.DeepClone();
        }
    }
}
