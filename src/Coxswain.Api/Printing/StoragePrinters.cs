using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of the volume kinds: PersistentVolume, PersistentVolumeClaim (core/v1) and StorageClass (storage.k8s.io/v1).</summary>
internal static class StoragePrinters
{
    public static TablePrinter PersistentVolume() => new TablePrinter(
            Columns.Name,
            Columns.Text("Capacity", ColumnDescriptions.PvCapacity),
            Columns.Text("Access Modes", ColumnDescriptions.PvAccessModes),
            Columns.Text("Reclaim Policy", ColumnDescriptions.PvReclaimPolicy),
            Columns.Text("Status", ColumnDescriptions.PvPhase),
            Columns.Text("Claim", ColumnDescriptions.PvClaimRef),
            Columns.Text("StorageClass", ColumnDescriptions.PvStorageClass),
            Columns.Text("VolumeAttributesClass", ColumnDescriptions.PvVolumeAttributesClass),
            Columns.Text("Reason", ColumnDescriptions.PvReason),
            Columns.Age,
            Columns.Text("VolumeMode", ColumnDescriptions.PvVolumeMode, 1))
        .On<V1PersistentVolume>((pv, now) =>
        {
            var spec = pv.Spec;
            var claim = spec?.ClaimRef == null ? "" : $"{spec.ClaimRef.NamespaceProperty}/{spec.ClaimRef.Name}";
            var phase = pv.Metadata?.DeletionTimestamp != null ? "Terminating" : pv.Status?.Phase ?? "";
            return
            [
                Print.NameOf(pv.Metadata), Print.Quantity(spec?.Capacity, "storage"), Print.AccessModes(spec?.AccessModes),
                spec?.PersistentVolumeReclaimPolicy ?? "", phase, claim, Print.StorageClass(pv.Metadata, spec?.StorageClassName),
                spec?.VolumeAttributesClassName ?? Print.Unset, pv.Status?.Reason ?? "", Print.Age(pv.Metadata, now),
                spec?.VolumeMode ?? Print.Unset,
            ];
        });

    public static TablePrinter PersistentVolumeClaim() => new TablePrinter(
            Columns.Name,
            Columns.Text("Status", ColumnDescriptions.PvcPhase),
            Columns.Text("Volume", ColumnDescriptions.PvcVolumeName),
            Columns.Text("Capacity", ColumnDescriptions.PvcCapacity),
            Columns.Text("Access Modes", ColumnDescriptions.PvcAccessModes),
            Columns.Text("StorageClass", ColumnDescriptions.PvcStorageClass),
            Columns.Text("VolumeAttributesClass", ColumnDescriptions.PvcVolumeAttributesClass),
            Columns.Age,
            Columns.Text("VolumeMode", ColumnDescriptions.PvcVolumeMode, 1))
        .On<V1PersistentVolumeClaim>((pvc, now) =>
        {
            var spec = pvc.Spec;
            var phase = pvc.Metadata?.DeletionTimestamp != null ? "Terminating" : pvc.Status?.Phase ?? "";
            var bound = !string.IsNullOrEmpty(spec?.VolumeName);
            return
            [
                Print.NameOf(pvc.Metadata), phase, spec?.VolumeName ?? "",
                bound ? Print.Quantity(pvc.Status?.Capacity, "storage") : "",
                bound ? Print.AccessModes(pvc.Status?.AccessModes) : "",
                Print.StorageClass(pvc.Metadata, spec?.StorageClassName),
                spec?.VolumeAttributesClassName ?? Print.Unset, Print.Age(pvc.Metadata, now), spec?.VolumeMode ?? Print.Unset,
            ];
        });

    public static TablePrinter StorageClass() => new TablePrinter(
            Columns.Name,
            Columns.Text("Provisioner", ColumnDescriptions.StorageClassProvisioner),
            Columns.Text("ReclaimPolicy", ColumnDescriptions.StorageClassReclaimPolicy),
            Columns.Text("VolumeBindingMode", ColumnDescriptions.StorageClassBindingMode),
            Columns.Text("AllowVolumeExpansion", ColumnDescriptions.StorageClassExpansion),
            Columns.Age)
        .On<V1StorageClass>((sc, now) =>
        {
            var name = Print.NameOf(sc.Metadata);
            if (IsDefaultClass(sc.Metadata))
            {
                name += " (default)";
            }
            return
            [
                name, sc.Provisioner ?? "", sc.ReclaimPolicy ?? "Delete", sc.VolumeBindingMode ?? "Immediate",
                sc.AllowVolumeExpansion ?? false, Print.Age(sc.Metadata, now),
            ];
        });

    private static bool IsDefaultClass(V1ObjectMeta? meta)
    {
        var annotations = meta?.Annotations;
        return annotations != null &&
            (annotations.TryGetValue("storageclass.kubernetes.io/is-default-class", out var ga) && ga == "true" ||
             annotations.TryGetValue("storageclass.beta.kubernetes.io/is-default-class", out var beta) && beta == "true");
    }
}
