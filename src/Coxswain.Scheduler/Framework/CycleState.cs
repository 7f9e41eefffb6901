namespace Coxswain.Scheduler.Framework;

/// <summary>
/// Per-pod scheduling-cycle data that plugins compute once (PreFilter/PreScore) and read in
/// Filter/Score. Keys are plugin-owned strings; values are plugin-owned objects.
/// </summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);
    /// <summary>Plugins whose PreFilter returned Skip; their Filter is not called this cycle.</summary>
    internal HashSet<string> SkipFilterPlugins { get; } = new(StringComparer.Ordinal);
    internal HashSet<string> SkipScorePlugins { get; } = new(StringComparer.Ordinal);
    private IFilterPlugin[]? _filters;

    /// <summary>The profile's filters minus the skipped ones, worked out once per cycle instead of once per node.</summary>
    internal IFilterPlugin[] FiltersToRun(Profile profile)
    {
        if (_filters != null) return _filters;
        var list = new List<IFilterPlugin>(profile.Filter.Length);
        foreach (var f in profile.Filter)
            if (!SkipFilterPlugins.Contains(f.Name)) list.Add(f);
        return _filters = [.. list];
    }

    /// <summary>The pod being scheduled, with its derived data; a field because every plugin reads it per node.</summary>
    public PodInfo? PodInfo { get; set; }

    public void Write(string key, object value) => _data[key] = value;

    public T? Read<T>(string key) where T : class => _data.TryGetValue(key, out var v) ? v as T : null;

    /// <summary>A copy for preemption's dry runs; values that are <see cref="ICloneableState"/> are deep-copied.</summary>
    public CycleState Clone()
    {
        var c = new CycleState { PodInfo = PodInfo };
        foreach (var (k, v) in _data) c._data[k] = v is ICloneableState cs ? cs.Clone() : v;
        c.SkipFilterPlugins.UnionWith(SkipFilterPlugins);
        c.SkipScorePlugins.UnionWith(SkipScorePlugins);
        return c;
    }
}

/// <summary>State that AddPod/RemovePod mutate must be cloneable so dry runs do not leak.</summary>
public interface ICloneableState
{
    object Clone();
}
