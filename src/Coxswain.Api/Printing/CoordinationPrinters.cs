using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of coordination.k8s.io/v1 kinds.</summary>
internal static class CoordinationPrinters
{
    public static TablePrinter Lease() => new TablePrinter(
            Columns.Name,
            Columns.Text("Holder", ColumnDescriptions.LeaseHolder),
            Columns.Age)
        .On<V1Lease>((lease, now) => [Print.NameOf(lease.Metadata), lease.Spec?.HolderIdentity ?? "", Print.Age(lease.Metadata, now)]);
}
