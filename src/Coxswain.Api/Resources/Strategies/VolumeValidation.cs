using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Validation of pod volumes and of persistent volume claim specs (shared by PVCs, ephemeral
/// volumes and StatefulSet claim templates), as upstream's ValidateVolumes and
/// ValidatePersistentVolumeClaimSpec.
/// </summary>
internal static class VolumeValidation
{
    public const string FileModeError = "must be a number between 0 and 0777 (octal), both inclusive";
    private const string MoreThanOne = "may not specify more than 1 volume type";

    public static readonly string[] AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
    public static readonly string[] VolumeModes = ["Block", "Filesystem"];

    private static readonly string[] HostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

    private static readonly HashSet<string> VolumeFieldPaths = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];

    /// <summary>Validates the volumes and returns the valid ones by name (for mount checks).</summary>
    public static (Dictionary<string, V1Volume> Volumes, List<FieldError> Errors) ValidateVolumes(IList<V1Volume>? volumes, V1ObjectMeta? podMeta, string path)
    {
        var errs = new List<FieldError>();
        var valid = new Dictionary<string, V1Volume>();
        var createdClaims = new HashSet<string>();
        if (!string.IsNullOrEmpty(podMeta?.Name))
        {
            foreach (var v in volumes ?? [])
            {
                if (v.Ephemeral != null)
                {
                    createdClaims.Add(podMeta.Name + "-" + v.Name);
                }
            }
        }
        for (var i = 0; i < (volumes?.Count ?? 0); i++)
        {
            var v = volumes![i];
            var p = FieldChecks.Index(path, i);
            var namePath = FieldChecks.Child(p, "name");
            var el = VolumeSource(v, p, podMeta);
            if (string.IsNullOrEmpty(v.Name))
            {
                el.Add(FieldError.Required(namePath));
            }
            else
            {
                el.AddRange(FieldChecks.DNS1123Label(v.Name, namePath));
            }
            if (valid.ContainsKey(v.Name ?? ""))
            {
                el.Add(FieldError.Duplicate(namePath, v.Name ?? ""));
            }
            if (el.Count == 0)
            {
                valid[v.Name!] = v;
            }
            else
            {
                errs.AddRange(el);
            }
            if (v.PersistentVolumeClaim != null && createdClaims.Contains(v.PersistentVolumeClaim.ClaimName ?? ""))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "persistentVolumeClaim.claimName"), v.PersistentVolumeClaim.ClaimName,
                    "must not reference a PVC that gets created for an ephemeral volume"));
            }
        }
        return (valid, errs);
    }

    private static List<FieldError> VolumeSource(V1Volume v, string path, V1ObjectMeta? podMeta)
    {
        var errs = new List<FieldError>();
        var n = 0;
        bool Take(object? source, string field)
        {
            if (source == null)
            {
                return false;
            }
            if (n > 0)
            {
                errs.Add(FieldError.Forbidden(FieldChecks.Child(path, field), MoreThanOne));
                return false;
            }
            n++;
            return true;
        }
        if (Take(v.EmptyDir, "emptyDir") && v.EmptyDir!.SizeLimit != null && Quantities.Sign(v.EmptyDir.SizeLimit) < 0)
        {
            errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "emptyDir.sizeLimit"), "SizeLimit field must be a valid resource quantity"));
        }
        if (Take(v.HostPath, "hostPath"))
        {
            errs.AddRange(HostPath(v.HostPath!.Path, v.HostPath.Type, FieldChecks.Child(path, "hostPath")));
        }
        if (Take(v.GitRepo, "gitRepo"))
        {
            if (string.IsNullOrEmpty(v.GitRepo!.Repository))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(path, "gitRepo.repository")));
            }
            errs.AddRange(LocalDescendingPath(v.GitRepo.Directory ?? "", FieldChecks.Child(path, "gitRepo.directory")));
        }
        Take(v.GcePersistentDisk, "gcePersistentDisk");
        Take(v.AwsElasticBlockStore, "awsElasticBlockStore");
        if (Take(v.Secret, "secret"))
        {
            var sp = FieldChecks.Child(path, "secret");
            if (string.IsNullOrEmpty(v.Secret!.SecretName))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(sp, "secretName")));
            }
            errs.AddRange(Mode(v.Secret.DefaultMode, FieldChecks.Child(sp, "defaultMode")));
            errs.AddRange(Items(v.Secret.Items, FieldChecks.Child(sp, "items")));
        }
        if (Take(v.Nfs, "nfs"))
        {
            var np = FieldChecks.Child(path, "nfs");
            if (string.IsNullOrEmpty(v.Nfs!.Server))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(np, "server")));
            }
            if (string.IsNullOrEmpty(v.Nfs.Path))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(np, "path")));
            }
            if (!(v.Nfs.Path ?? "").StartsWith('/'))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(np, "path"), v.Nfs.Path ?? "", "must be an absolute path"));
            }
        }
        Take(v.Iscsi, "iscsi");
        Take(v.Glusterfs, "glusterfs");
        Take(v.Flocker, "flocker");
        if (Take(v.PersistentVolumeClaim, "persistentVolumeClaim") && string.IsNullOrEmpty(v.PersistentVolumeClaim!.ClaimName))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "persistentVolumeClaim.claimName")));
        }
        Take(v.Rbd, "rbd");
        Take(v.Cinder, "cinder");
        Take(v.Cephfs, "cephFS");
        Take(v.Quobyte, "quobyte");
        if (Take(v.DownwardAPI, "downwarAPI"))
        {
            var dp = FieldChecks.Child(path, "downwardAPI");
            errs.AddRange(Mode(v.DownwardAPI!.DefaultMode, FieldChecks.Child(dp, "defaultMode")));
            foreach (var f in v.DownwardAPI.Items ?? [])
            {
                errs.AddRange(DownwardAPIFile(f, dp));
            }
        }
        Take(v.Fc, "fc");
        Take(v.FlexVolume, "flexVolume");
        if (Take(v.ConfigMap, "configMap"))
        {
            var cp = FieldChecks.Child(path, "configMap");
            if (string.IsNullOrEmpty(v.ConfigMap!.Name))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(cp, "name")));
            }
            errs.AddRange(Mode(v.ConfigMap.DefaultMode, FieldChecks.Child(cp, "defaultMode")));
            errs.AddRange(Items(v.ConfigMap.Items, FieldChecks.Child(cp, "items")));
        }
        Take(v.AzureFile, "azureFile");
        Take(v.VsphereVolume, "vsphereVolume");
        Take(v.PhotonPersistentDisk, "photonPersistentDisk");
        Take(v.PortworxVolume, "portworxVolume");
        Take(v.AzureDisk, "azureDisk");
        Take(v.Storageos, "storageos");
        if (Take(v.Projected, "projected"))
        {
            errs.AddRange(Projected(v.Projected!, FieldChecks.Child(path, "projected")));
        }
        Take(v.ScaleIO, "scaleIO");
        if (Take(v.Csi, "csi"))
        {
            errs.AddRange(CsiDriverName(v.Csi!.Driver, FieldChecks.Child(path, "csi.driver")));
        }
        if (Take(v.Ephemeral, "ephemeral"))
        {
            var ep = FieldChecks.Child(path, "ephemeral");
            var template = v.Ephemeral!.VolumeClaimTemplate;
            if (template == null)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(ep, "volumeClaimTemplate")));
            }
            else
            {
                var tp = FieldChecks.Child(ep, "volumeClaimTemplate");
                errs.AddRange(ObjectMetaValidation.ValidateTemplateMeta(template.Metadata, FieldChecks.Child(tp, "metadata")));
                errs.AddRange(ValidateClaimSpec(template.Spec, FieldChecks.Child(tp, "spec")));
            }
            if (!string.IsNullOrEmpty(podMeta?.Name) && !string.IsNullOrEmpty(v.Name))
            {
                var pvcName = podMeta.Name + "-" + v.Name;
                foreach (var msg in ValidationRules.IsDNS1123Subdomain(pvcName))
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(path, "name"), v.Name, $"PVC name \"{pvcName}\": {msg}"));
                }
            }
        }
        Take(v.Image, "image");
        if (n == 0)
        {
            errs.Add(FieldError.Required(path, "must specify a volume type"));
        }
        return errs;
    }

    public static List<FieldError> HostPath(string? hostPath, string? type, string path)
    {
        if (string.IsNullOrEmpty(hostPath))
        {
            return [FieldError.Required(FieldChecks.Child(path, "path"))];
        }
        var errs = PathNoBacksteps(hostPath, FieldChecks.Child(path, "path"));
        if (type != null && !HostPathTypes.Contains(type))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "type"), type, HostPathTypes));
        }
        return errs;
    }

    public static List<FieldError> CsiDriverName(string? driver, string path)
    {
        var errs = new List<FieldError>();
        driver ??= "";
        if (driver.Length == 0)
        {
            errs.Add(FieldError.Required(path));
        }
        if (driver.Length > 63)
        {
            errs.Add(FieldChecks.TooLong(path, 63));
        }
        errs.AddRange(FieldChecks.Messages(path, driver, ValidationRules.IsDNS1123Subdomain(driver.ToLowerInvariant())));
        return errs;
    }

    private static List<FieldError> Projected(V1ProjectedVolumeSource projected, string path)
    {
        var errs = Mode(projected.DefaultMode, FieldChecks.Child(path, "defaultMode"));
        var paths = new HashSet<string>();
        var sources = projected.Sources ?? [];
        for (var i = 0; i < sources.Count; i++)
        {
            var s = sources[i];
            var sp = FieldChecks.Index(FieldChecks.Child(path, "sources"), i);
            var n = 0;
            if (s.Secret != null)
            {
                n++;
                if (string.IsNullOrEmpty(s.Secret.Name))
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(sp, "secret.name")));
                }
                errs.AddRange(ProjectedItems(s.Secret.Items, FieldChecks.Child(sp, "secret.items"), s.Secret.Name ?? "", paths, path));
            }
            if (s.ConfigMap != null)
            {
                n++;
                if (string.IsNullOrEmpty(s.ConfigMap.Name))
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(sp, "configMap.name")));
                }
                errs.AddRange(ProjectedItems(s.ConfigMap.Items, FieldChecks.Child(sp, "configMap.items"), s.ConfigMap.Name ?? "", paths, path));
            }
            if (s.DownwardAPI != null)
            {
                n++;
                foreach (var f in s.DownwardAPI.Items ?? [])
                {
                    errs.AddRange(DownwardAPIFile(f, FieldChecks.Child(sp, "downwardAPI")));
                    if (!string.IsNullOrEmpty(f.Path) && !paths.Add(f.Path))
                    {
                        errs.Add(FieldError.Invalid(path, f.Path, "conflicting duplicate paths"));
                    }
                }
            }
            if (s.ServiceAccountToken != null)
            {
                n++;
                var tp = FieldChecks.Child(sp, "serviceAccountToken");
                var exp = s.ServiceAccountToken.ExpirationSeconds ?? 0;
                if (exp < 600)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(tp, "expirationSeconds"), exp, "may not specify a duration less than 10 minutes"));
                }
                if (exp > 1L << 32)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(tp, "expirationSeconds"), exp, "may not specify a duration larger than 2^32 seconds"));
                }
                if (string.IsNullOrEmpty(s.ServiceAccountToken.Path))
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(path, "path")));
                }
                else
                {
                    errs.AddRange(LocalNonReservedPath(s.ServiceAccountToken.Path, FieldChecks.Child(path, "path")));
                }
            }
            if (s.ClusterTrustBundle != null)
            {
                n++;
            }
            if (s.PodCertificate != null)
            {
                n++;
            }
            if (n > 1)
            {
                errs.Add(FieldError.Forbidden(sp, MoreThanOne));
            }
        }
        return errs;
    }

    private static List<FieldError> ProjectedItems(IList<V1KeyToPath>? items, string itemsPath, string sourceName, HashSet<string> paths, string volumePath)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            errs.AddRange(KeyToPath(items![i], FieldChecks.Index(itemsPath, i)));
            if (!string.IsNullOrEmpty(items[i].Path) && !paths.Add(items[i].Path))
            {
                errs.Add(FieldError.Invalid(volumePath, sourceName, "conflicting duplicate paths"));
            }
        }
        return errs;
    }

    private static List<FieldError> DownwardAPIFile(V1DownwardAPIVolumeFile f, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(f.Path))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "path")));
        }
        errs.AddRange(LocalNonReservedPath(f.Path ?? "", FieldChecks.Child(path, "path")));
        if (f.FieldRef != null)
        {
            errs.AddRange(ContainerValidation.ObjectFieldSelector(f.FieldRef, VolumeFieldPaths, FieldChecks.Child(path, "fieldRef")));
            if (f.ResourceFieldRef != null)
            {
                errs.Add(FieldError.Invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
            }
        }
        else if (f.ResourceFieldRef != null)
        {
            errs.AddRange(ContainerValidation.ResourceFieldSelector(f.ResourceFieldRef, FieldChecks.Child(path, "resourceFieldRef"), volume: true));
        }
        else
        {
            errs.Add(FieldError.Required(path, "one of fieldRef and resourceFieldRef is required"));
        }
        errs.AddRange(Mode(f.Mode, FieldChecks.Child(path, "mode")));
        return errs;
    }

    private static List<FieldError> Items(IList<V1KeyToPath>? items, string path)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            errs.AddRange(KeyToPath(items![i], FieldChecks.Index(path, i)));
        }
        return errs;
    }

    private static List<FieldError> KeyToPath(V1KeyToPath kp, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(kp.Key))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "key")));
        }
        if (string.IsNullOrEmpty(kp.Path))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "path")));
        }
        errs.AddRange(LocalNonReservedPath(kp.Path ?? "", FieldChecks.Child(path, "path")));
        errs.AddRange(Mode(kp.Mode, FieldChecks.Child(path, "mode")));
        return errs;
    }

    private static List<FieldError> Mode(int? mode, string path) =>
        mode is { } m && (m > 511 || m < 0) ? [FieldError.Invalid(path, m, FileModeError)] : [];

    /// <summary>A relative path without '..' elements.</summary>
    public static List<FieldError> LocalDescendingPath(string target, string path)
    {
        var errs = new List<FieldError>();
        if (target.StartsWith('/'))
        {
            errs.Add(FieldError.Invalid(path, target, "must be a relative path"));
        }
        errs.AddRange(PathNoBacksteps(target, path));
        return errs;
    }

    public static List<FieldError> LocalNonReservedPath(string target, string path)
    {
        var errs = LocalDescendingPath(target, path);
        if (target.StartsWith("..", StringComparison.Ordinal) && !target.StartsWith("../", StringComparison.Ordinal))
        {
            errs.Add(FieldError.Invalid(path, target, "must not start with '..'"));
        }
        return errs;
    }

    private static List<FieldError> PathNoBacksteps(string target, string path) =>
        target.Replace('\\', '/').Split('/').Contains("..") ? [FieldError.Invalid(path, target, "must not contain '..'")] : [];

    /// <summary>
    /// A PersistentVolumeClaimSpec: access modes (at least one, known, ReadWriteOncePod alone), a
    /// positive storage request, class and mode names, data sources.
    /// </summary>
    public static List<FieldError> ValidateClaimSpec(V1PersistentVolumeClaimSpec? spec, string path)
    {
        var errs = new List<FieldError>();
        spec ??= new V1PersistentVolumeClaimSpec();
        var modes = spec.AccessModes ?? [];
        if (modes.Count == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "accessModes"), "at least 1 access mode is required"));
        }
        if (spec.Selector != null)
        {
            errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(spec.Selector, FieldChecks.Child(path, "selector")));
        }
        errs.AddRange(AccessModeErrors(modes, FieldChecks.Child(path, "accessModes")));
        var storagePath = FieldChecks.Key(FieldChecks.Child(path, "resources"), "storage");
        if (spec.Resources?.Requests?.TryGetValue("storage", out var storage) != true)
        {
            errs.Add(FieldError.Required(storagePath));
        }
        else
        {
            var positive = ResourceValidation.ValidatePositiveQuantity(storage, storagePath);
            errs.AddRange(positive.Count > 0 ? positive : ResourceValidation.ValidateQuantityValue("storage", storage, storagePath));
        }
        if (!string.IsNullOrEmpty(spec.StorageClassName))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.StorageClassName, FieldChecks.Child(path, "storageClassName")));
        }
        if (spec.VolumeMode != null && !VolumeModes.Contains(spec.VolumeMode))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "volumeMode"), spec.VolumeMode, VolumeModes));
        }
        if (spec.DataSource is { } ds)
        {
            errs.AddRange(DataSource(ds.Name, ds.Kind, ds.ApiGroup, FieldChecks.Child(path, "dataSource")));
        }
        if (spec.DataSourceRef is { } dsr)
        {
            var rp = FieldChecks.Child(path, "dataSourceRef");
            errs.AddRange(DataSource(dsr.Name, dsr.Kind, dsr.ApiGroup, rp));
            if (!string.IsNullOrEmpty(dsr.NamespaceProperty))
            {
                errs.AddRange(FieldChecks.Messages(FieldChecks.Child(rp, "namespace"), dsr.NamespaceProperty, ValidationRules.IsDNS1123Label(dsr.NamespaceProperty)));
            }
        }
        if (!string.IsNullOrEmpty(spec.DataSourceRef?.NamespaceProperty))
        {
            if (spec.DataSource != null)
            {
                errs.Add(FieldError.Invalid(path, FieldChecks.Child(path, "dataSource"), "may not be specified when dataSourceRef.namespace is specified"));
            }
        }
        else if (spec.DataSource != null && spec.DataSourceRef != null
            && (spec.DataSource.ApiGroup != spec.DataSourceRef.ApiGroup || spec.DataSource.Kind != spec.DataSourceRef.Kind || spec.DataSource.Name != spec.DataSourceRef.Name))
        {
            errs.Add(FieldError.Invalid(path, FieldChecks.Child(path, "dataSource"), "must match dataSourceRef"));
        }
        if (!string.IsNullOrEmpty(spec.VolumeAttributesClassName))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.VolumeAttributesClassName, FieldChecks.Child(path, "volumeAttributesClassName")));
        }
        return errs;
    }

    public static List<FieldError> AccessModeErrors(IList<string> modes, string path)
    {
        var errs = new List<FieldError>();
        bool rwop = false, other = false;
        foreach (var m in modes)
        {
            if (!AccessModes.Contains(m))
            {
                errs.Add(FieldChecks.NotSupported(path, m, AccessModes));
            }
            if (m == "ReadWriteOncePod")
            {
                rwop = true;
            }
            else if (AccessModes.Contains(m))
            {
                other = true;
            }
        }
        if (rwop && other)
        {
            errs.Add(FieldError.Forbidden(path, "may not use ReadWriteOncePod with other access modes"));
        }
        return errs;
    }

    private static List<FieldError> DataSource(string? name, string? kind, string? apiGroup, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name")));
        }
        if (string.IsNullOrEmpty(kind))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "kind")));
        }
        if (string.IsNullOrEmpty(apiGroup) && kind != "PersistentVolumeClaim")
        {
            errs.Add(FieldError.Invalid(path, kind ?? "", "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
        }
        if (!string.IsNullOrEmpty(apiGroup))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(apiGroup, FieldChecks.Child(path, "apiGroup")));
        }
        return errs;
    }
}
