namespace Coxswain.Scheduler.Framework;

/// <summary>A plugin enabled in a profile, with its score weight (0 if it does not score).</summary>
public sealed record PluginEntry(IPlugin Plugin, int Weight = 0);

/// <summary>
/// A scheduler profile: an ordered plugin list, split by extension point once at construction so the
/// hot loop iterates plain arrays. Plugins run in list order, as upstream's multiPoint expansion.
/// </summary>
public sealed class Profile
{
    public string SchedulerName { get; }
    /// <summary>Percentage of nodes to score; 0 selects upstream's adaptive default.</summary>
    public int PercentageOfNodesToScore { get; init; }

    internal IPreFilterPlugin[] PreFilter { get; }
    internal IFilterPlugin[] Filter { get; }
    internal IPostFilterPlugin[] PostFilter { get; }
    internal IPreScorePlugin[] PreScore { get; }
    internal (IScorePlugin Plugin, int Weight)[] Score { get; }
    internal IReservePlugin[] Reserve { get; }
    public IBindPlugin[] Bind { get; }

    public Profile(string schedulerName, IEnumerable<PluginEntry> plugins)
    {
        SchedulerName = schedulerName;
        var list = plugins.ToList();
        PreFilter = list.Select(e => e.Plugin).OfType<IPreFilterPlugin>().ToArray();
        Filter = list.Select(e => e.Plugin).OfType<IFilterPlugin>().ToArray();
        PostFilter = list.Select(e => e.Plugin).OfType<IPostFilterPlugin>().ToArray();
        PreScore = list.Select(e => e.Plugin).OfType<IPreScorePlugin>().ToArray();
        Score = list.Where(e => e.Plugin is IScorePlugin).Select(e => ((IScorePlugin)e.Plugin, e.Weight == 0 ? 1 : e.Weight)).ToArray();
        Reserve = list.Select(e => e.Plugin).OfType<IReservePlugin>().ToArray();
        Bind = list.Select(e => e.Plugin).OfType<IBindPlugin>().ToArray();
    }

    internal IEnumerable<IFilterPlugin> FilterPlugins => Filter;
}
