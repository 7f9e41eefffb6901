namespace Coxswain.Api.Printing;

/// <summary>
/// Server-side printing of one kind: the column definitions of a meta.k8s.io/v1 Table and the
/// cells of one row. Rows always carry every column (also priority 1 ones); kubectl drops the
/// wide ones itself.
/// </summary>
public interface ITablePrinter
{
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>One cell per column, as JSON-serialisable values (string, long, bool, double or null).</summary>
    IReadOnlyList<object?> Cells(object obj, DateTime now);

    /// <summary>The optional <c>rows[].conditions</c> of the object's row (upstream sets them only for pods).</summary>
    IReadOnlyList<TableRowCondition>? Conditions(object obj) => null;
}

/// <summary>A meta.k8s.io/v1 TableColumnDefinition.</summary>
public sealed record TableColumn(string Name, string Type, string Description, int Priority = 0, string Format = "");

/// <summary>A meta.k8s.io/v1 TableRowCondition (e.g. <c>Completed</c>/<c>True</c> for a finished pod).</summary>
public sealed record TableRowCondition(string Type, string Status, string? Reason = null, string? Message = null);
