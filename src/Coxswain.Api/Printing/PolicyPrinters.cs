using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of policy/v1 kinds.</summary>
internal static class PolicyPrinters
{
    public static TablePrinter PodDisruptionBudget() => new TablePrinter(
            Columns.Name,
            Columns.Text("Min Available", ColumnDescriptions.PdbMinAvailable),
            Columns.Text("Max Unavailable", ColumnDescriptions.PdbMaxUnavailable),
            Columns.Integer("Allowed Disruptions", ColumnDescriptions.PdbAllowedDisruptions),
            Columns.Age)
        .On<V1PodDisruptionBudget>((pdb, now) =>
        [
            Print.NameOf(pdb.Metadata), pdb.Spec?.MinAvailable?.Value ?? "N/A", pdb.Spec?.MaxUnavailable?.Value ?? "N/A",
            (long)(pdb.Status?.DisruptionsAllowed ?? 0), Print.Age(pdb.Metadata, now),
        ]);
}
