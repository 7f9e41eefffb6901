using Coxswain.Api.Printing;
using k8s.Models;

namespace Coxswain.Api.Tests.Printing;

/// <summary>A fixed clock and helpers to print one row.</summary>
public abstract class PrinterTestBase
{
    protected static readonly DateTime Now = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    protected static DateTime Ago(int minutes) => Now.AddMinutes(-minutes);

    protected static V1ObjectMeta Meta(string name, int ageMinutes = 5, string? ns = "default") =>
        new() { Name = name, NamespaceProperty = ns, CreationTimestamp = Ago(ageMinutes) };

    protected static object?[] Row(string group, string kind, object obj)
    {
        var printer = TablePrinters.For(group, kind);
        var cells = printer.Cells(obj, Now);
        Assert.Equal(printer.Columns.Count, cells.Count);
        return cells.ToArray();
    }

    /// <summary>The column names, a <c>*</c> marking wide-only (priority 1) columns.</summary>
    protected static string Header(string group, string kind) =>
        string.Join("|", TablePrinters.For(group, kind).Columns.Select(c => c.Priority == 1 ? c.Name + "*" : c.Name));

    protected static V1Container Container(string name, string image) => new() { Name = name, Image = image };

    protected static V1PodTemplateSpec Template(params V1Container[] containers) =>
        new() { Metadata = new V1ObjectMeta(), Spec = new V1PodSpec { Containers = containers } };
}
