using k8s;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>The registry of table printers, looked up by group and kind.</summary>
public static class TablePrinters
{
    public static ITablePrinter For(string group, string kind) => DefaultTablePrinter.Instance;
}

/// <summary>Upstream's default convertor: Name and Created At.</summary>
public sealed class DefaultTablePrinter : ITablePrinter
{
    public static readonly DefaultTablePrinter Instance = new();

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Name", "string", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0, "name"),
        new("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    ];

    public IReadOnlyList<object?> Cells(object obj, DateTime now)
    {
        var meta = ((IMetadata<V1ObjectMeta>)obj).Metadata;
        return [meta?.Name, meta?.CreationTimestamp?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")];
    }
}
