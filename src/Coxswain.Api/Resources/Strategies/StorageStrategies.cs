using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Defaults shared by PersistentVolumeClaims wherever they appear (claims, templates).</summary>
public static class StorageDefaults
{
    public static void DefaultClaimSpec(V1PersistentVolumeClaimSpec spec)
    {
        spec.VolumeMode ??= "Filesystem";
        if (spec.Resources != null)
        {
            Quantities.RoundUpToMilli(spec.Resources.Requests);
            Quantities.RoundUpToMilli(spec.Resources.Limits);
        }
    }

    /// <summary>A whole claim (also a StatefulSet's volumeClaimTemplates): spec defaults and phase Pending.</summary>
    public static void DefaultClaim(V1PersistentVolumeClaim claim)
    {
        claim.Spec ??= new V1PersistentVolumeClaimSpec();
        DefaultClaimSpec(claim.Spec);
        claim.Status ??= new V1PersistentVolumeClaimStatus();
        if (string.IsNullOrEmpty(claim.Status.Phase))
        {
            claim.Status.Phase = "Pending";
        }
    }
}

/// <summary>PersistentVolumes (core/v1, cluster-scoped).</summary>
public sealed class PersistentVolumeStrategy : KindStrategy<V1PersistentVolume>
{
    private static readonly string[] ReclaimPolicies = ["Delete", "Recycle", "Retain"];

    public override void Default(V1PersistentVolume obj)
    {
        obj.Spec ??= new V1PersistentVolumeSpec();
        var spec = obj.Spec;
        if (string.IsNullOrEmpty(spec.PersistentVolumeReclaimPolicy))
        {
            spec.PersistentVolumeReclaimPolicy = "Retain";
        }
        spec.VolumeMode ??= "Filesystem";
        Quantities.RoundUpToMilli(spec.Capacity);
        if (spec.HostPath != null)
        {
            spec.HostPath.Type ??= "";
        }
        if (spec.Iscsi != null && string.IsNullOrEmpty(spec.Iscsi.IscsiInterface))
        {
            spec.Iscsi.IscsiInterface = "default";
        }
        if (spec.Rbd != null)
        {
            spec.Rbd.Pool = string.IsNullOrEmpty(spec.Rbd.Pool) ? "rbd" : spec.Rbd.Pool;
            spec.Rbd.User = string.IsNullOrEmpty(spec.Rbd.User) ? "admin" : spec.Rbd.User;
            spec.Rbd.Keyring = string.IsNullOrEmpty(spec.Rbd.Keyring) ? "/etc/ceph/keyring" : spec.Rbd.Keyring;
        }
        if (spec.ScaleIO != null)
        {
            spec.ScaleIO.StorageMode = string.IsNullOrEmpty(spec.ScaleIO.StorageMode) ? "ThinProvisioned" : spec.ScaleIO.StorageMode;
            spec.ScaleIO.FsType = string.IsNullOrEmpty(spec.ScaleIO.FsType) ? "xfs" : spec.ScaleIO.FsType;
        }
        obj.Status ??= new V1PersistentVolumeStatus();
        if (string.IsNullOrEmpty(obj.Status.Phase))
        {
            obj.Status.Phase = "Pending";
        }
    }

    public override void PrepareForCreate(V1PersistentVolume obj)
    {
        obj.Status = new V1PersistentVolumeStatus { Phase = "Pending", LastPhaseTransitionTime = Now() };
    }

    public override IEnumerable<FieldError> ValidateCreate(V1PersistentVolume obj) => ValidateSpec(obj.Spec ?? new V1PersistentVolumeSpec(), "spec");

    public override IEnumerable<FieldError> ValidateUpdate(V1PersistentVolume obj, V1PersistentVolume old)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1PersistentVolumeSpec(), "spec");
        var spec = obj.Spec ?? new V1PersistentVolumeSpec();
        var oldSpec = old.Spec ?? new V1PersistentVolumeSpec();
        var newSource = Source(spec);
        if (oldSpec.Csi?.ControllerExpandSecretRef == null && spec.Csi?.ControllerExpandSecretRef != null)
        {
            // Adding a controllerExpandSecretRef is allowed.
            newSource = Source(spec, dropExpandSecret: true);
        }
        var oldSource = Source(oldSpec);
        if (!ObjectJson.SemanticEquals(newSource, oldSource))
        {
            errs.Add(FieldError.Forbidden("spec.persistentvolumesource",
                $"spec.persistentvolumesource is immutable after creation\n{JsonDiff.Describe(oldSource, newSource, "spec")}"));
        }
        errs.AddRange(FieldChecks.Immutable(spec.VolumeMode, oldSpec.VolumeMode, "volumeMode"));
        if (oldSpec.NodeAffinity != null)
        {
            errs.AddRange(FieldChecks.Immutable(spec.NodeAffinity, oldSpec.NodeAffinity, "nodeAffinity"));
        }
        return errs;
    }

    /// <summary>The volume source fields of a PV spec (what may not change after creation).</summary>
    private static Dictionary<string, object?> Source(V1PersistentVolumeSpec s, bool dropExpandSecret = false)
    {
        var csi = s.Csi;
        if (dropExpandSecret && csi != null)
        {
            csi = ObjectJson.Clone(csi);
            csi.ControllerExpandSecretRef = null;
        }
        return new Dictionary<string, object?>
        {
            ["awsElasticBlockStore"] = s.AwsElasticBlockStore, ["azureDisk"] = s.AzureDisk, ["azureFile"] = s.AzureFile,
            ["cephfs"] = s.Cephfs, ["cinder"] = s.Cinder, ["csi"] = csi, ["fc"] = s.Fc, ["flexVolume"] = s.FlexVolume,
            ["flocker"] = s.Flocker, ["gcePersistentDisk"] = s.GcePersistentDisk, ["glusterfs"] = s.Glusterfs,
            ["hostPath"] = s.HostPath, ["iscsi"] = s.Iscsi, ["local"] = s.Local, ["nfs"] = s.Nfs,
            ["photonPersistentDisk"] = s.PhotonPersistentDisk, ["portworxVolume"] = s.PortworxVolume, ["quobyte"] = s.Quobyte,
            ["rbd"] = s.Rbd, ["scaleIO"] = s.ScaleIO, ["storageos"] = s.Storageos, ["vsphereVolume"] = s.VsphereVolume,
        };
    }

    private static List<FieldError> ValidateSpec(V1PersistentVolumeSpec spec, string path)
    {
        var errs = new List<FieldError>();
        var modes = spec.AccessModes ?? [];
        if (modes.Count == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "accessModes")));
        }
        errs.AddRange(VolumeValidation.AccessModeErrors(modes, FieldChecks.Child(path, "accessModes")));
        var capacity = spec.Capacity ?? new Dictionary<string, ResourceQuantity>();
        var capPath = FieldChecks.Child(path, "capacity");
        if (capacity.Count == 0)
        {
            errs.Add(FieldError.Required(capPath));
        }
        if (!capacity.ContainsKey("storage") || capacity.Count > 1)
        {
            errs.Add(FieldChecks.NotSupported(capPath, capacity, "storage"));
        }
        foreach (var (name, q) in capacity)
        {
            var p = FieldChecks.Key(capPath, name);
            if (Quantities.Sign(q) < 0)
            {
                errs.Add(FieldError.Invalid(p, (long)Quantities.Value(q), "must be a valid resource quantity"));
            }
            errs.AddRange(ResourceValidation.ValidatePositiveQuantity(q, p));
        }
        if (!string.IsNullOrEmpty(spec.PersistentVolumeReclaimPolicy) && !ReclaimPolicies.Contains(spec.PersistentVolumeReclaimPolicy))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "persistentVolumeReclaimPolicy"), spec.PersistentVolumeReclaimPolicy, ReclaimPolicies));
        }
        var nodeAffinitySpecified = false;
        if (spec.NodeAffinity != null)
        {
            var np = FieldChecks.Child(path, "nodeAffinity");
            if (spec.NodeAffinity.Required == null)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(np, "required"), "must specify required node constraints"));
            }
            else
            {
                nodeAffinitySpecified = true;
                errs.AddRange(PodSpecValidation.NodeSelector(spec.NodeAffinity.Required, FieldChecks.Child(np, "required")));
            }
        }
        var n = 0;
        bool Take(object? source, string field)
        {
            if (source == null)
            {
                return false;
            }
            if (n > 0)
            {
                errs.Add(FieldError.Forbidden(FieldChecks.Child(path, field), "may not specify more than 1 volume type"));
                return false;
            }
            n++;
            return true;
        }
        if (Take(spec.HostPath, "hostPath"))
        {
            errs.AddRange(VolumeValidation.HostPath(spec.HostPath!.Path, spec.HostPath.Type, FieldChecks.Child(path, "hostPath")));
        }
        Take(spec.GcePersistentDisk, "gcePersistentDisk");
        Take(spec.AwsElasticBlockStore, "awsElasticBlockStore");
        Take(spec.Glusterfs, "glusterfs");
        Take(spec.Flocker, "flocker");
        if (Take(spec.Nfs, "nfs"))
        {
            var np = FieldChecks.Child(path, "nfs");
            if (string.IsNullOrEmpty(spec.Nfs!.Server))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(np, "server")));
            }
            if (string.IsNullOrEmpty(spec.Nfs.Path))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(np, "path")));
            }
            if (!(spec.Nfs.Path ?? "").StartsWith('/'))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(np, "path"), spec.Nfs.Path ?? "", "must be an absolute path"));
            }
        }
        Take(spec.Rbd, "rbd");
        Take(spec.Quobyte, "quobyte");
        Take(spec.Cephfs, "cephFS");
        Take(spec.Iscsi, "iscsi");
        Take(spec.Cinder, "cinder");
        Take(spec.Fc, "fc");
        Take(spec.FlexVolume, "flexVolume");
        Take(spec.AzureFile, "azureFile");
        Take(spec.VsphereVolume, "vsphereVolume");
        Take(spec.PhotonPersistentDisk, "photonPersistentDisk");
        Take(spec.PortworxVolume, "portworxVolume");
        Take(spec.AzureDisk, "azureDisk");
        Take(spec.ScaleIO, "scaleIO");
        if (Take(spec.Local, "local"))
        {
            var lp = FieldChecks.Child(path, "local");
            if (string.IsNullOrEmpty(spec.Local!.Path))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(lp, "path")));
            }
            else if (spec.Local.Path.Replace('\\', '/').Split('/').Contains(".."))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(lp, "path"), spec.Local.Path, "must not contain '..'"));
            }
            if (!nodeAffinitySpecified)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(path, "nodeAffinity"), "Local volume requires node affinity"));
            }
        }
        Take(spec.Storageos, "storageos");
        if (Take(spec.Csi, "csi"))
        {
            var cp = FieldChecks.Child(path, "csi");
            errs.AddRange(VolumeValidation.CsiDriverName(spec.Csi!.Driver, FieldChecks.Child(cp, "driver")));
            if (string.IsNullOrEmpty(spec.Csi.VolumeHandle))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(cp, "volumeHandle")));
            }
        }
        if (n == 0)
        {
            errs.Add(FieldError.Required(path, "must specify a volume type"));
        }
        if (spec.HostPath != null && spec.PersistentVolumeReclaimPolicy == "Recycle" && NormalizePath(spec.HostPath.Path) == "/")
        {
            errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"));
        }
        if (!string.IsNullOrEmpty(spec.StorageClassName))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.StorageClassName, FieldChecks.Child(path, "storageClassName")));
        }
        if (spec.VolumeMode != null && !VolumeValidation.VolumeModes.Contains(spec.VolumeMode))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "volumeMode"), spec.VolumeMode, VolumeValidation.VolumeModes));
        }
        return errs;
    }

    private static string NormalizePath(string? p)
    {
        var parts = (p ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        return (p ?? "").StartsWith('/') && parts.Count == 0 ? "/" : string.Join('/', parts);
    }

    internal static DateTime Now() => DateTime.SpecifyKind(DateTime.UtcNow.AddTicks(-(DateTime.UtcNow.Ticks % TimeSpan.TicksPerSecond)), DateTimeKind.Utc);
}

/// <summary>PersistentVolumeClaims (core/v1).</summary>
public sealed class PersistentVolumeClaimStrategy : KindStrategy<V1PersistentVolumeClaim>
{
    public const string BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    public override void Default(V1PersistentVolumeClaim obj) => StorageDefaults.DefaultClaim(obj);

    public override void PrepareForCreate(V1PersistentVolumeClaim obj)
    {
        obj.Status = new V1PersistentVolumeClaimStatus { Phase = "Pending" };
    }

    public override IEnumerable<FieldError> ValidateCreate(V1PersistentVolumeClaim obj) => VolumeValidation.ValidateClaimSpec(obj.Spec, "spec");

    public override IEnumerable<FieldError> ValidateUpdate(V1PersistentVolumeClaim obj, V1PersistentVolumeClaim old)
    {
        var errs = VolumeValidation.ValidateClaimSpec(obj.Spec, "spec");
        var spec = ObjectJson.Clone(obj.Spec ?? new V1PersistentVolumeClaimSpec());
        var oldSpec = ObjectJson.Clone(old.Spec ?? new V1PersistentVolumeClaimSpec());

        // The binder sets volumeName once.
        if (string.IsNullOrEmpty(oldSpec.VolumeName))
        {
            oldSpec.VolumeName = spec.VolumeName;
        }

        // storageClassName may be set once when it was unset (matching a beta annotation if any).
        var oldAnnotations = old.Metadata?.Annotations ?? new Dictionary<string, string>();
        var hadAnnotation = oldAnnotations.TryGetValue(BetaStorageClassAnnotation, out var oldClass);
        if (spec.StorageClassName != null && oldSpec.StorageClassName == null && (!hadAnnotation || spec.StorageClassName == oldClass))
        {
            spec.StorageClassName = oldSpec.StorageClassName;
        }
        var newAnnotation = obj.Metadata?.Annotations?.Get(BetaStorageClassAnnotation) ?? "";
        if (newAnnotation != (oldClass ?? ""))
        {
            errs.Add(FieldError.Invalid($"metadata.annotations.{BetaStorageClassAnnotation}", newAnnotation, FieldChecks.FieldImmutable));
        }

        // Bound claims may change their storage request.
        if (obj.Status?.Phase == "Bound" && spec.Resources?.Requests != null)
        {
            if (oldSpec.Resources?.Requests?.TryGetValue("storage", out var oldStorage) == true)
            {
                spec.Resources.Requests["storage"] = oldStorage;
            }
            else
            {
                spec.Resources.Requests.Remove("storage");
            }
        }
        spec.VolumeAttributesClassName = oldSpec.VolumeAttributesClassName;
        if (!ObjectJson.SemanticEquals(spec, oldSpec))
        {
            errs.Add(FieldError.Forbidden("spec",
                $"spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{JsonDiff.Describe(oldSpec, spec, "spec")}"));
        }
        var oldSize = old.Spec?.Resources?.Requests.Get("storage");
        var newSize = obj.Spec?.Resources?.Requests.Get("storage");
        var statusSize = old.Status?.Capacity.Get("storage");
        if (Quantities.Compare(newSize, oldSize) < 0 && Quantities.Compare(newSize, statusSize) <= 0)
        {
            errs.Add(FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
        }
        errs.AddRange(FieldChecks.Immutable(obj.Spec?.VolumeMode, old.Spec?.VolumeMode, "volumeMode"));
        if (old.Spec?.VolumeAttributesClassName != null && obj.Spec?.VolumeAttributesClassName != old.Spec.VolumeAttributesClassName)
        {
            if (obj.Spec?.VolumeAttributesClassName == null)
            {
                errs.Add(FieldError.Forbidden("spec.volumeAttributesClassName", "update from non-nil value to nil is forbidden"));
            }
            else if (obj.Spec.VolumeAttributesClassName.Length == 0)
            {
                errs.Add(FieldError.Forbidden("spec.volumeAttributesClassName", "update from non-nil value to an empty string is forbidden"));
            }
        }
        return errs;
    }
}

/// <summary>StorageClasses (storage.k8s.io/v1).</summary>
public sealed class StorageClassStrategy : KindStrategy<V1StorageClass>
{
    public const int MaxProvisionerParameterLength = 512;
    public const int MaxProvisionerParameterSize = 256 * 1024;

    public override void Default(V1StorageClass obj)
    {
        obj.ReclaimPolicy ??= "Delete";
        obj.VolumeBindingMode ??= "Immediate";
    }

    public override IEnumerable<FieldError> ValidateCreate(V1StorageClass obj)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(obj.Provisioner))
        {
            errs.Add(FieldError.Required("provisioner"));
        }
        else
        {
            errs.AddRange(FieldChecks.QualifiedName(obj.Provisioner.ToLowerInvariant(), "provisioner"));
        }
        var parameters = obj.Parameters ?? new Dictionary<string, string>();
        if (parameters.Count > MaxProvisionerParameterLength)
        {
            errs.Add(FieldChecks.TooLong("parameters", MaxProvisionerParameterLength));
        }
        else
        {
            long total = 0;
            foreach (var (k, v) in parameters)
            {
                if (k.Length < 1)
                {
                    errs.Add(FieldError.Invalid("parameters", k, "field can not be empty."));
                }
                total += k.Length + (v?.Length ?? 0);
            }
            if (total > MaxProvisionerParameterSize)
            {
                errs.Add(FieldChecks.TooLong("parameters", MaxProvisionerParameterSize));
            }
        }
        if (!string.IsNullOrEmpty(obj.ReclaimPolicy) && obj.ReclaimPolicy is not ("Delete" or "Retain"))
        {
            errs.Add(FieldChecks.NotSupported("reclaimPolicy", obj.ReclaimPolicy, "Delete", "Retain"));
        }
        if (obj.VolumeBindingMode == null)
        {
            errs.Add(FieldError.Required("volumeBindingMode"));
        }
        else if (obj.VolumeBindingMode is not ("Immediate" or "WaitForFirstConsumer"))
        {
            errs.Add(FieldChecks.NotSupported("volumeBindingMode", obj.VolumeBindingMode, "Immediate", "WaitForFirstConsumer"));
        }
        var topologies = obj.AllowedTopologies ?? [];
        for (var i = 0; i < topologies.Count; i++)
        {
            var exprs = topologies[i].MatchLabelExpressions ?? [];
            var keys = new HashSet<string>();
            for (var j = 0; j < exprs.Count; j++)
            {
                var p = $"allowedTopologies[{i}].matchLabelExpressions[{j}]";
                var values = exprs[j].Values ?? [];
                if (values.Count == 0)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(p, "values")));
                }
                var seen = new HashSet<string>();
                for (var k = 0; k < values.Count; k++)
                {
                    if (!seen.Add(values[k]))
                    {
                        errs.Add(FieldError.Duplicate($"{p}.values[{k}]", values[k]));
                    }
                }
                errs.AddRange(FieldChecks.QualifiedName(exprs[j].Key ?? "", FieldChecks.Child(p, "key")));
                if (!keys.Add(exprs[j].Key ?? ""))
                {
                    errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "key"), exprs[j].Key ?? ""));
                }
            }
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1StorageClass obj, V1StorageClass old)
    {
        var errs = ValidateCreate(obj).ToList();
        if (!ObjectJson.SemanticEquals(obj.Parameters ?? new Dictionary<string, string>(), old.Parameters ?? new Dictionary<string, string>()))
        {
            errs.Add(FieldError.Forbidden("parameters", "updates to parameters are forbidden."));
        }
        if (obj.Provisioner != old.Provisioner)
        {
            errs.Add(FieldError.Forbidden("provisioner", "updates to provisioner are forbidden."));
        }
        if (obj.ReclaimPolicy != old.ReclaimPolicy)
        {
            errs.Add(FieldError.Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
        }
        errs.AddRange(FieldChecks.Immutable(obj.VolumeBindingMode, old.VolumeBindingMode, "volumeBindingMode"));
        return errs;
    }
}
