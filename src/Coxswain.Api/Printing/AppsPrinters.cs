using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of apps/v1 kinds.</summary>
internal static class AppsPrinters
{
    public static TablePrinter Deployment() => new TablePrinter(
            Columns.Name,
            Columns.Text("Ready", ColumnDescriptions.ReadyPods),
            Columns.Text("Up-to-date", ColumnDescriptions.DeploymentUpdated),
            Columns.Text("Available", ColumnDescriptions.DeploymentAvailable),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.Text("Selector", ColumnDescriptions.DeploymentSelector, 1))
        .On<V1Deployment>((d, now) =>
        {
            var (names, images) = Print.Containers(d.Spec?.Template?.Spec?.Containers);
            // Unlike the other kinds, an empty or nil selector prints as an empty string here.
            var selector = Selectors.LabelSelector.TryFromLabelSelector(d.Spec?.Selector, out var parsed, out _) ? parsed.ToString() : "<invalid>";
            return
            [
                Print.NameOf(d.Metadata), Ratio(d.Status?.ReadyReplicas, d.Spec?.Replicas),
                (long)(d.Status?.UpdatedReplicas ?? 0), (long)(d.Status?.AvailableReplicas ?? 0),
                Print.Age(d.Metadata, now), names, images, selector,
            ];
        });

    public static TablePrinter ReplicaSet() => new TablePrinter(
            Columns.Name,
            Columns.Integer("Desired", ColumnDescriptions.ReplicaSetSpecReplicas),
            Columns.Integer("Current", ColumnDescriptions.ReplicaSetStatusReplicas),
            Columns.Integer("Ready", ColumnDescriptions.ReplicaSetReadyReplicas),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.Text("Selector", ColumnDescriptions.ReplicaSetSelector, 1))
        .On<V1ReplicaSet>((rs, now) =>
        {
            var (names, images) = Print.Containers(rs.Spec?.Template?.Spec?.Containers);
            return
            [
                Print.NameOf(rs.Metadata), (long)(rs.Spec?.Replicas ?? 0), (long)(rs.Status?.Replicas ?? 0),
                (long)(rs.Status?.ReadyReplicas ?? 0), Print.Age(rs.Metadata, now), names, images, Print.LabelSelector(rs.Spec?.Selector),
            ];
        });

    public static TablePrinter StatefulSet() => new TablePrinter(
            Columns.Name,
            Columns.Text("Ready", ColumnDescriptions.ReadyPods),
            Columns.Age,
            Columns.Containers,
            Columns.Images)
        .On<V1StatefulSet>((sts, now) =>
        {
            var (names, images) = Print.Containers(sts.Spec?.Template?.Spec?.Containers);
            return [Print.NameOf(sts.Metadata), Ratio(sts.Status?.ReadyReplicas, sts.Spec?.Replicas), Print.Age(sts.Metadata, now), names, images];
        });

    public static TablePrinter DaemonSet() => new TablePrinter(
            Columns.Name,
            Columns.Integer("Desired", ColumnDescriptions.DaemonSetDesired),
            Columns.Integer("Current", ColumnDescriptions.DaemonSetCurrent),
            Columns.Integer("Ready", ColumnDescriptions.DaemonSetReady),
            Columns.Integer("Up-to-date", ColumnDescriptions.DaemonSetUpdated),
            Columns.Integer("Available", ColumnDescriptions.DaemonSetAvailable),
            Columns.Text("Node Selector", ColumnDescriptions.PodNodeSelector),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.Text("Selector", ColumnDescriptions.DaemonSetSelector, 1))
        .On<V1DaemonSet>((ds, now) =>
        {
            var status = ds.Status;
            var template = ds.Spec?.Template?.Spec;
            var (names, images) = Print.Containers(template?.Containers);
            return
            [
                Print.NameOf(ds.Metadata), (long)(status?.DesiredNumberScheduled ?? 0), (long)(status?.CurrentNumberScheduled ?? 0),
                (long)(status?.NumberReady ?? 0), (long)(status?.UpdatedNumberScheduled ?? 0), (long)(status?.NumberAvailable ?? 0),
                Print.Labels(template?.NodeSelector), Print.Age(ds.Metadata, now), names, images, Print.LabelSelector(ds.Spec?.Selector),
            ];
        });

    public static TablePrinter ControllerRevision() => new TablePrinter(
            Columns.Name,
            Columns.Text("Controller", ColumnDescriptions.ControllerRevisionController),
            Columns.Text("Revision", ColumnDescriptions.ControllerRevisionRevision),
            Columns.Age)
        .On<V1ControllerRevision>((cr, now) =>
            [Print.NameOf(cr.Metadata), Controller(cr.Metadata), cr.Revision ?? 0L, Print.Age(cr.Metadata, now)]);

    /// <summary><c>lowercase(Kind.group)/name</c> of the controller owner reference, or <c>&lt;none&gt;</c>.</summary>
    private static string Controller(V1ObjectMeta? meta)
    {
        var owner = meta?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        if (owner == null)
        {
            return Print.None;
        }
        var apiVersion = owner.ApiVersion ?? "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var kind = owner.Kind ?? "";
        if (group.Length == 0 && kind.Length == 0)
        {
            return owner.Name ?? "";
        }
        var groupKind = group.Length == 0 ? kind : kind + "." + group;
        return groupKind.ToLowerInvariant() + "/" + owner.Name;
    }

    private static string Ratio(int? ready, int? desired) =>
        string.Create(CultureInfo.InvariantCulture, $"{ready ?? 0}/{desired ?? 0}");
}
