using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

/// <summary>An apply that changes fields other managers own, without force.</summary>
internal sealed class ConflictsException(IReadOnlyList<(ManagerKey Manager, PathElement[] Path)> conflicts)
    : Exception("Apply failed with conflicts")
{
    public IReadOnlyList<(ManagerKey Manager, PathElement[] Path)> Conflicts { get; } = conflicts;
}

/// <summary>
/// Ownership bookkeeping of structured-merge-diff's <c>merge.Updater</c> for one schema and one
/// API version: an update takes the fields it changes; an apply merges the configuration, prunes
/// what the applier stopped applying and checks conflicts with the other managers.
/// </summary>
internal sealed class Updater(SsaType type, FieldSet? ignored)
{
    /// <summary>
    /// Records an update from <paramref name="oldObj"/> to <paramref name="newObj"/> by
    /// <paramref name="manager"/>: the fields it changed become its own and leave the other managers,
    /// and removed fields leave every manager.
    /// </summary>
    public void Update(JsonNode? oldObj, JsonNode? newObj, string version, Dictionary<ManagerKey, VersionedSet> managers, ManagerKey manager)
    {
        var compare = TakeOwnership(oldObj, newObj, managers, manager, force: true);
        var previous = managers.TryGetValue(manager, out var vs) ? vs.Set : new FieldSet();
        var set = previous.Difference(compare.Removed).Union(compare.Modified).Union(compare.Added);
        if (ignored != null)
        {
            set = set.RecursiveDifference(ignored);
        }
        if (set.Empty)
        {
            managers.Remove(manager);
        }
        else
        {
            managers[manager] = new VersionedSet(set, version, false);
        }
    }

    /// <summary>
    /// Applies <paramref name="config"/> to <paramref name="live"/> for <paramref name="manager"/>:
    /// returns the new object, or null when nothing changed. Throws <see cref="ConflictsException"/>
    /// when the apply would change fields another manager owns, unless <paramref name="force"/>.
    /// </summary>
    public JsonNode? Apply(JsonNode live, JsonObject config, string version, Dictionary<ManagerKey, VersionedSet> managers, ManagerKey manager, bool force)
    {
        var merged = TypedValue.Merge(live, config, type) ?? new JsonObject();
        managers.TryGetValue(manager, out var lastSet);
        var set = TypedValue.ToFieldSet(config, type, strict: true);
        if (ignored != null)
        {
            set = set.RecursiveDifference(ignored);
        }
        managers[manager] = new VersionedSet(set, version, true);
        merged = Prune(merged, managers, lastSet);
        TakeOwnership(live, merged, managers, manager, force);
        return JsonValues.ValueEquals(live, merged) ? null : merged;
    }

    /// <summary>
    /// Removes what the applier owned last time and no longer applies, unless another manager (or
    /// the new configuration) owns it.
    /// </summary>
    private JsonNode Prune(JsonNode merged, Dictionary<ManagerKey, VersionedSet> managers, VersionedSet? lastSet)
    {
        if (lastSet == null || lastSet.Set.Empty)
        {
            return merged;
        }
        var pruned = TypedValue.RemoveItems(merged, Ensure(lastSet.Set), type) ?? new JsonObject();
        pruned = AddBackOwnedItems(merged, pruned, managers);
        return AddBackDanglingItems(merged, pruned, lastSet.Set);
    }

    private JsonNode AddBackOwnedItems(JsonNode merged, JsonNode pruned, Dictionary<ManagerKey, VersionedSet> managers)
    {
        var managed = managers.Values.Aggregate(new FieldSet(), (acc, vs) => acc.Union(vs.Set));
        var mergedSet = Ensure(TypedValue.ToFieldSet(merged, type, strict: false));
        var prunedSet = Ensure(TypedValue.ToFieldSet(pruned, type, strict: false));
        var remove = mergedSet.Difference(prunedSet.Union(Ensure(managed)));
        return TypedValue.RemoveItems(merged, remove, type) ?? new JsonObject();
    }

    private JsonNode AddBackDanglingItems(JsonNode merged, JsonNode pruned, FieldSet last)
    {
        var prunedSet = Ensure(TypedValue.ToFieldSet(pruned, type, strict: false));
        var mergedSet = Ensure(TypedValue.ToFieldSet(merged, type, strict: false));
        var remove = mergedSet.Difference(prunedSet).Intersection(Ensure(last));
        return TypedValue.RemoveItems(merged, remove, type) ?? new JsonObject();
    }

    private FieldSet Ensure(FieldSet set) => TypedValue.EnsureNamedFieldsAreMembers(set, type);

    /// <summary>
    /// The shared step of apply and update (<c>Updater.update</c>): fields the change adds or modifies
    /// that other managers own are conflicts (moved to the writer when forced); removed fields leave
    /// every other manager. Managers left with nothing are dropped.
    /// </summary>
    private Comparison TakeOwnership(JsonNode? oldObj, JsonNode? newObj, Dictionary<ManagerKey, VersionedSet> managers, ManagerKey workflow, bool force)
    {
        var compare = TypedValue.Compare(oldObj, newObj, type).Filter(ignored);
        var changed = compare.Modified.Union(compare.Added);
        var conflicts = new List<(ManagerKey, FieldSet)>();
        foreach (var (manager, vs) in managers.OrderBy(kv => kv.Key.Identifier, StringComparer.Ordinal))
        {
            if (manager == workflow)
            {
                continue;
            }
            var conflict = vs.Set.Intersection(changed);
            if (!conflict.Empty)
            {
                conflicts.Add((manager, conflict));
            }
        }
        if (!force && conflicts.Count > 0)
        {
            throw new ConflictsException(conflicts.SelectMany(c => c.Item2.Paths().Select(p => (c.Item1, p))).ToList());
        }
        foreach (var (manager, conflict) in conflicts)
        {
            managers[manager] = managers[manager] with { Set = managers[manager].Set.Difference(conflict) };
        }
        if (!compare.Removed.Empty)
        {
            foreach (var manager in managers.Keys.Where(m => m != workflow).ToList())
            {
                managers[manager] = managers[manager] with { Set = managers[manager].Set.Difference(compare.Removed) };
            }
        }
        foreach (var manager in managers.Where(kv => kv.Value.Set.Empty).Select(kv => kv.Key).ToList())
        {
            managers.Remove(manager);
        }
        return compare;
    }
}
