using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of scheduling.k8s.io/v1 kinds.</summary>
internal static class SchedulingPrinters
{
    public static TablePrinter PriorityClass() => new TablePrinter(
            Columns.Name,
            Columns.Integer("Value", ColumnDescriptions.PriorityClassValue),
            Columns.Boolean("Global-Default", ColumnDescriptions.PriorityClassGlobalDefault),
            Columns.Age,
            Columns.Text("PreemptionPolicy", ColumnDescriptions.PriorityClassPreemptionPolicy))
        .On<V1PriorityClass>((pc, now) =>
            [Print.NameOf(pc.Metadata), (long)(pc.Value ?? 0), pc.GlobalDefault ?? false, Print.Age(pc.Metadata, now), pc.PreemptionPolicy ?? ""]);
}
