using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>
/// A printer built from columns and one cell function per model type (a kind may arrive as more
/// than one model, e.g. autoscaling v1 and v2, core and events.k8s.io Events).
/// </summary>
internal sealed class TablePrinter : ITablePrinter
{
    private readonly List<Handler> _handlers = [];

    private sealed record Handler(Type Type, Func<object, DateTime, object?[]> Cells, Func<object, IReadOnlyList<TableRowCondition>?>? Conditions);

    public TablePrinter(params TableColumn[] columns)
    {
        Columns = columns;
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>Adds the cell function (and optionally the row conditions) for objects of type <typeparamref name="T"/>.</summary>
    public TablePrinter On<T>(Func<T, DateTime, object?[]> cells, Func<T, IReadOnlyList<TableRowCondition>?>? conditions = null)
        where T : class
    {
        _handlers.Add(new Handler(typeof(T), (o, now) => cells((T)o, now), conditions == null ? null : o => conditions((T)o)));
        return this;
    }

    public IReadOnlyList<object?> Cells(object obj, DateTime now)
    {
        var cells = Find(obj).Cells(obj, HumanDuration.Utc(now));
        if (cells.Length != Columns.Count)
        {
            throw new InvalidOperationException($"printer for {obj.GetType().Name} produced {cells.Length} cells for {Columns.Count} columns");
        }
        return cells;
    }

    public IReadOnlyList<TableRowCondition>? Conditions(object obj) => Find(obj).Conditions?.Invoke(obj);

    private Handler Find(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        foreach (var h in _handlers)
        {
            if (h.Type.IsInstanceOfType(obj))
            {
                return h;
            }
        }
        throw new ArgumentException($"no table printer for {obj.GetType().FullName}", nameof(obj));
    }
}

/// <summary>Columns many kinds share.</summary>
internal static class Columns
{
    public static readonly TableColumn Name = new("Name", "string", ColumnDescriptions.Name, 0, "name");
    public static readonly TableColumn Age = new("Age", "string", ColumnDescriptions.CreationTimestamp);
    public static readonly TableColumn Containers = new("Containers", "string", ColumnDescriptions.Containers, 1);
    public static readonly TableColumn Images = new("Images", "string", ColumnDescriptions.Images, 1);

    public static TableColumn Text(string name, string description, int priority = 0) => new(name, "string", description, priority);

    public static TableColumn Integer(string name, string description, int priority = 0) => new(name, "integer", description, priority);

    public static TableColumn Boolean(string name, string description, int priority = 0) => new(name, "boolean", description, priority);
}

/// <summary>The formatting helpers of upstream's printers.</summary>
internal static class Print
{
    public const string None = "<none>";
    public const string Unset = "<unset>";
    public const string Unknown = "<unknown>";

    public static string Age(V1ObjectMeta? meta, DateTime now) => HumanDuration.Since(meta?.CreationTimestamp, now);

    public static string NameOf(V1ObjectMeta? meta) => meta?.Name ?? "";

    /// <summary>layoutContainerCells: container names and images joined with <c>,</c>.</summary>
    public static (string Names, string Images) Containers(IList<V1Container>? containers)
    {
        if (containers == null || containers.Count == 0)
        {
            return ("", "");
        }
        return (string.Join(",", containers.Select(c => c.Name)), string.Join(",", containers.Select(c => c.Image)));
    }

    /// <summary>labels.FormatLabels: <c>k=v</c> sorted by key, <c>&lt;none&gt;</c> when empty.</summary>
    public static string Labels(IDictionary<string, string>? labels)
    {
        if (labels == null || labels.Count == 0)
        {
            return None;
        }
        return string.Join(",", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
    }

    /// <summary>metav1.FormatLabelSelector: canonical selector, <c>&lt;none&gt;</c> when empty, <c>&lt;error&gt;</c> when invalid.</summary>
    public static string LabelSelector(V1LabelSelector? selector)
    {
        if (!Selectors.LabelSelector.TryFromLabelSelector(selector, out var parsed, out _))
        {
            return "<error>";
        }
        var text = parsed.ToString();
        return text.Length == 0 ? None : text;
    }

    /// <summary>listWithMoreString: the shown items, <c> + N more...</c>, or <c>&lt;unset&gt;</c> when empty.</summary>
    public static string ListWithMore(List<string> list, bool more, int count, int max)
    {
        var ret = string.Join(",", list);
        if (more)
        {
            return $"{ret} + {count - max} more...";
        }
        return ret.Length == 0 ? Unset : ret;
    }

    /// <summary>A resource quantity from a map; a missing one prints as Go's zero Quantity, <c>0</c>.</summary>
    public static string Quantity(IDictionary<string, ResourceQuantity>? map, string name) =>
        map != null && map.TryGetValue(name, out var q) && q != null ? q.ToString() : "0";

    /// <summary>A quantity pointer as Go prints it (<c>&lt;nil&gt;</c> when unset).</summary>
    public static string QuantityPointer(ResourceQuantity? q) => q?.ToString() ?? "<nil>";

    /// <summary>GetAccessModesAsString: de-duplicated, in the fixed order RWO, ROX, RWX, RWOP.</summary>
    public static string AccessModes(IList<string>? modes)
    {
        if (modes == null || modes.Count == 0)
        {
            return "";
        }
        var result = new List<string>(4);
        foreach (var (mode, shortName) in (ReadOnlySpan<(string, string)>)
            [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")])
        {
            if (modes.Contains(mode))
            {
                result.Add(shortName);
            }
        }
        return string.Join(",", result);
    }

    /// <summary>printBoolPtr: <c>True</c>, <c>False</c> or <c>&lt;unset&gt;</c>.</summary>
    public static string BoolPointer(bool? value) => value switch
    {
        true => "True",
        false => "False",
        null => Unset,
    };

    public static string OrNone(string? s) => string.IsNullOrEmpty(s) ? None : s;

    /// <summary>The storage class of a PV or PVC: the beta annotation wins over the field.</summary>
    public static string StorageClass(V1ObjectMeta? meta, string? field) =>
        meta?.Annotations != null && meta.Annotations.TryGetValue("volume.beta.kubernetes.io/storage-class", out var annotated)
            ? annotated ?? ""
            : field ?? "";
}
