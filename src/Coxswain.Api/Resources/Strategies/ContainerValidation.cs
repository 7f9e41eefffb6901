using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Validation of the containers of a PodSpec (regular, init and ephemeral), as upstream's
/// validateContainers / validateInitContainers / validateEphemeralContainers.
/// </summary>
internal static class ContainerValidation
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    private static readonly HashSet<string> EnvFieldPaths =
    [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    private static readonly HashSet<string> ContainerResourceFieldPaths =
    [
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    ];

    internal sealed record Context(
        IReadOnlyDictionary<string, V1Volume> Volumes,
        ISet<string> ClaimNames,
        long? GracePeriod,
        string RestartPolicy,
        bool HostUsers);

    public static List<FieldError> ValidateContainers(IList<V1Container>? containers, Context ctx, string path)
    {
        var errs = new List<FieldError>();
        if (containers == null || containers.Count == 0)
        {
            errs.Add(FieldError.Required(path));
            return errs;
        }
        var names = new HashSet<string>();
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            var p = FieldChecks.Index(path, i);
            errs.AddRange(Common(c, ctx, p));
            if (!names.Add(c.Name ?? ""))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "name"), c.Name ?? ""));
            }
            if (c.Lifecycle != null)
            {
                errs.AddRange(Lifecycle(c.Lifecycle, ctx.GracePeriod, FieldChecks.Child(p, "lifecycle")));
            }
            errs.AddRange(LivenessProbe(c.LivenessProbe, ctx.GracePeriod, FieldChecks.Child(p, "livenessProbe")));
            errs.AddRange(ReadinessProbe(c.ReadinessProbe, ctx.GracePeriod, FieldChecks.Child(p, "readinessProbe")));
            errs.AddRange(LivenessProbe(c.StartupProbe, ctx.GracePeriod, FieldChecks.Child(p, "startupProbe")));
            if (c.RestartPolicy != null)
            {
                errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "restartPolicy"), "may not be set for non-init containers"));
            }
        }
        errs.AddRange(HostPortConflicts(containers, path));
        return errs;
    }

    public static List<FieldError> ValidateInitContainers(IList<V1Container>? init, IList<V1Container>? regular, Context ctx, string path)
    {
        var errs = new List<FieldError>();
        if (init == null)
        {
            return errs;
        }
        var names = new HashSet<string>((regular ?? []).Select(c => c.Name ?? ""));
        for (var i = 0; i < init.Count; i++)
        {
            var c = init[i];
            var p = FieldChecks.Index(path, i);
            errs.AddRange(Common(c, ctx, p));
            var restartAlways = false;
            if (c.RestartPolicy != null)
            {
                if (c.RestartPolicy != "Always")
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, "restartPolicy"), c.RestartPolicy, "Always"));
                }
                restartAlways = c.RestartPolicy == "Always";
            }
            if (names.Contains(c.Name ?? ""))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "name"), c.Name ?? ""));
            }
            else if (!string.IsNullOrEmpty(c.Name))
            {
                names.Add(c.Name);
            }
            errs.AddRange(HostPortConflicts([c], path));
            if (restartAlways)
            {
                if (c.Lifecycle != null)
                {
                    errs.AddRange(Lifecycle(c.Lifecycle, ctx.GracePeriod, FieldChecks.Child(p, "lifecycle")));
                }
                errs.AddRange(LivenessProbe(c.LivenessProbe, ctx.GracePeriod, FieldChecks.Child(p, "livenessProbe")));
                errs.AddRange(ReadinessProbe(c.ReadinessProbe, ctx.GracePeriod, FieldChecks.Child(p, "readinessProbe")));
                errs.AddRange(LivenessProbe(c.StartupProbe, ctx.GracePeriod, FieldChecks.Child(p, "startupProbe")));
            }
            else
            {
                const string detail = "may not be set for init containers without restartPolicy=Always";
                if (c.Lifecycle != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "lifecycle"), detail));
                }
                if (c.LivenessProbe != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "livenessProbe"), detail));
                }
                if (c.ReadinessProbe != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "readinessProbe"), detail));
                }
                if (c.StartupProbe != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "startupProbe"), detail));
                }
            }
            if (c.ResizePolicy is { Count: > 0 })
            {
                errs.Add(FieldChecks.Invalid(FieldChecks.Child(p, "resizePolicy"), c.ResizePolicy, "must not be set for init containers"));
            }
        }
        return errs;
    }

    public static List<FieldError> ValidateEphemeralContainers(
        IList<V1EphemeralContainer>? ephemeral, IList<V1Container>? regular, IList<V1Container>? init, Context ctx, string path)
    {
        var errs = new List<FieldError>();
        if (ephemeral == null || ephemeral.Count == 0)
        {
            return errs;
        }
        var others = new HashSet<string>((regular ?? []).Concat(init ?? []).Select(c => c.Name ?? ""));
        var all = new HashSet<string>(others);
        for (var i = 0; i < ephemeral.Count; i++)
        {
            var ec = ephemeral[i];
            var p = FieldChecks.Index(path, i);
            var c = AsContainer(ec);
            errs.AddRange(Common(c, ctx, p));
            errs.AddRange(OnlyForPod(c, p));
            if (!all.Add(ec.Name ?? ""))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "name"), ec.Name ?? ""));
            }
            if (!string.IsNullOrEmpty(ec.TargetContainerName) && !others.Contains(ec.TargetContainerName))
            {
                errs.Add(FieldError.NotFound(FieldChecks.Child(p, "targetContainerName"), ec.TargetContainerName));
            }
            const string notAllowed = "cannot be set for an Ephemeral Container";
            void Forbid(object? value, string field)
            {
                if (value != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, field), notAllowed));
                }
            }
            Forbid(ec.Lifecycle, "lifecycle");
            Forbid(ec.LivenessProbe, "livenessProbe");
            Forbid(ec.Ports is { Count: > 0 } ? ec.Ports : null, "ports");
            Forbid(ec.ReadinessProbe, "readinessProbe");
            Forbid(HasResources(ec.Resources) ? ec.Resources : null, "resources");
            Forbid(ec.StartupProbe, "startupProbe");
            Forbid(ec.ResizePolicy is { Count: > 0 } ? ec.ResizePolicy : null, "resizePolicy");
            Forbid(ec.RestartPolicy, "restartPolicy");
            var mounts = ec.VolumeMounts ?? [];
            for (var j = 0; j < mounts.Count; j++)
            {
                var mp = FieldChecks.Index(FieldChecks.Child(p, "volumeMounts"), j);
                if (!string.IsNullOrEmpty(mounts[j].SubPath))
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(mp, "subPath"), notAllowed));
                }
                if (!string.IsNullOrEmpty(mounts[j].SubPathExpr))
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(mp, "subPathExpr"), notAllowed));
                }
            }
        }
        return errs;
    }

    private static bool HasResources(V1ResourceRequirements? r) =>
        r != null && ((r.Limits?.Count ?? 0) > 0 || (r.Requests?.Count ?? 0) > 0 || (r.Claims?.Count ?? 0) > 0);

    private static V1Container AsContainer(V1EphemeralContainer ec)
    {
        var node = ObjectJson.ToNode(ec)!.AsObject();
        node.Remove("targetContainerName");
        return System.Text.Json.JsonSerializer.Deserialize<V1Container>(node, Serialization.ObjectCodec.Options)!;
    }

    /// <summary>Checks that apply to real pods only (not to templates).</summary>
    public static List<FieldError> OnlyForPod(V1Container c, string path)
    {
        var image = c.Image ?? "";
        return image.Length != image.Trim().Length
            ? [FieldError.Invalid(FieldChecks.Child(path, "image"), image, "must not have leading or trailing whitespace")]
            : [];
    }

    private static List<FieldError> Common(V1Container c, Context ctx, string path)
    {
        var errs = new List<FieldError>();
        var namePath = FieldChecks.Child(path, "name");
        if (string.IsNullOrEmpty(c.Name))
        {
            errs.Add(FieldError.Required(namePath));
        }
        else
        {
            errs.AddRange(FieldChecks.DNS1123Label(c.Name, namePath));
        }
        if (string.IsNullOrEmpty(c.Image))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "image")));
        }
        switch (c.TerminationMessagePolicy)
        {
            case "File" or "FallbackToLogsOnError":
                break;
            case null or "":
                errs.Add(FieldError.Required(FieldChecks.Child(path, "terminationMessagePolicy")));
                break;
            default:
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "terminationMessagePolicy"), c.TerminationMessagePolicy, "File", "FallbackToLogsOnError"));
                break;
        }
        errs.AddRange(Ports(c.Ports, FieldChecks.Child(path, "ports")));
        errs.AddRange(Env(c.Env, FieldChecks.Child(path, "env")));
        errs.AddRange(EnvFrom(c.EnvFrom, FieldChecks.Child(path, "envFrom")));
        errs.AddRange(VolumeMounts(c, ctx.Volumes, FieldChecks.Child(path, "volumeMounts")));
        errs.AddRange(VolumeDevices(c, ctx.Volumes, FieldChecks.Child(path, "volumeDevices")));
        switch (c.ImagePullPolicy)
        {
            case "Always" or "IfNotPresent" or "Never":
                break;
            case null or "":
                errs.Add(FieldError.Required(FieldChecks.Child(path, "imagePullPolicy")));
                break;
            default:
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "imagePullPolicy"), c.ImagePullPolicy, "Always", "IfNotPresent", "Never"));
                break;
        }
        errs.AddRange(ResourceValidation.ValidateResourceRequirements(c.Resources, ctx.ClaimNames, FieldChecks.Child(path, "resources")));
        errs.AddRange(ResizePolicy(c.ResizePolicy, FieldChecks.Child(path, "resizePolicy"), ctx.RestartPolicy));
        errs.AddRange(SecurityContext(c.SecurityContext, FieldChecks.Child(path, "securityContext"), ctx.HostUsers));
        return errs;
    }

    private static List<FieldError> Ports(IList<V1ContainerPort>? ports, string path)
    {
        var errs = new List<FieldError>();
        var names = new HashSet<string>();
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var port = ports![i];
            var p = FieldChecks.Index(path, i);
            if (!string.IsNullOrEmpty(port.Name))
            {
                var msgs = ValidationRules.IsValidPortName(port.Name);
                if (msgs.Count > 0)
                {
                    errs.AddRange(FieldChecks.Messages(FieldChecks.Child(p, "name"), port.Name, msgs));
                }
                else if (!names.Add(port.Name))
                {
                    errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "name"), port.Name));
                }
            }
            if (port.ContainerPort == 0)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "containerPort")));
            }
            else
            {
                errs.AddRange(FieldChecks.Messages(FieldChecks.Child(p, "containerPort"), port.ContainerPort, ValidationRules.IsValidPortNum(port.ContainerPort)));
            }
            if (port.HostPort is { } hp and not 0)
            {
                errs.AddRange(FieldChecks.Messages(FieldChecks.Child(p, "hostPort"), hp, ValidationRules.IsValidPortNum(hp)));
            }
            if (string.IsNullOrEmpty(port.Protocol))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "protocol")));
            }
            else if (!Protocols.Contains(port.Protocol))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, "protocol"), port.Protocol, Protocols));
            }
        }
        return errs;
    }

    private static List<FieldError> HostPortConflicts(IList<V1Container> containers, string path)
    {
        var errs = new List<FieldError>();
        var seen = new HashSet<string>();
        for (var ci = 0; ci < containers.Count; ci++)
        {
            var ports = containers[ci].Ports ?? [];
            for (var pi = 0; pi < ports.Count; pi++)
            {
                if (ports[pi].HostPort is not { } hp || hp == 0)
                {
                    continue;
                }
                var key = $"{ports[pi].Protocol}/{ports[pi].HostIP}/{hp}";
                if (!seen.Add(key))
                {
                    errs.Add(FieldError.Duplicate($"{path}[{ci}].ports[{pi}].hostPort", key));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> Env(IList<V1EnvVar>? env, string path)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (env?.Count ?? 0); i++)
        {
            var e = env![i];
            var p = FieldChecks.Index(path, i);
            if (string.IsNullOrEmpty(e.Name))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "name")));
            }
            else
            {
                errs.AddRange(FieldChecks.Messages(FieldChecks.Child(p, "name"), e.Name, ValidationRules.IsRelaxedEnvVarName(e.Name)));
            }
            errs.AddRange(EnvValueFrom(e, FieldChecks.Child(p, "valueFrom")));
        }
        return errs;
    }

    private static List<FieldError> EnvValueFrom(V1EnvVar e, string path)
    {
        var errs = new List<FieldError>();
        var from = e.ValueFrom;
        if (from == null)
        {
            return errs;
        }
        var sources = 0;
        if (from.FieldRef != null)
        {
            sources++;
            errs.AddRange(ObjectFieldSelector(from.FieldRef, EnvFieldPaths, FieldChecks.Child(path, "fieldRef")));
        }
        if (from.ResourceFieldRef != null)
        {
            sources++;
            errs.AddRange(ResourceFieldSelector(from.ResourceFieldRef, FieldChecks.Child(path, "resourceFieldRef"), volume: false));
        }
        if (from.ConfigMapKeyRef != null)
        {
            sources++;
            errs.AddRange(KeySelector(from.ConfigMapKeyRef.Name, from.ConfigMapKeyRef.Key, FieldChecks.Child(path, "configMapKeyRef")));
        }
        if (from.SecretKeyRef != null)
        {
            sources++;
            errs.AddRange(KeySelector(from.SecretKeyRef.Name, from.SecretKeyRef.Key, FieldChecks.Child(path, "secretKeyRef")));
        }
        if (from.FileKeyRef != null)
        {
            sources++;
        }
        if (sources == 0)
        {
            errs.Add(FieldError.Invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        }
        else if (!string.IsNullOrEmpty(e.Value))
        {
            errs.Add(FieldError.Invalid(path, "", "may not be specified when `value` is not empty"));
        }
        else if (sources > 1)
        {
            errs.Add(FieldError.Invalid(path, "", "may not have more than one field specified at a time"));
        }
        return errs;
    }

    /// <summary>A downward API field reference (env or volume item).</summary>
    public static List<FieldError> ObjectFieldSelector(V1ObjectFieldSelector fs, IReadOnlySet<string> allowed, string path)
    {
        if (string.IsNullOrEmpty(fs.ApiVersion))
        {
            return [FieldError.Required(FieldChecks.Child(path, "apiVersion"))];
        }
        if (string.IsNullOrEmpty(fs.FieldPath))
        {
            return [FieldError.Required(FieldChecks.Child(path, "fieldPath"))];
        }
        if (fs.ApiVersion != "v1")
        {
            return [FieldError.Invalid(FieldChecks.Child(path, "fieldPath"), fs.FieldPath,
                $"error converting fieldPath: unsupported pod version: {fs.ApiVersion}")];
        }
        var fieldPath = fs.FieldPath;
        var bracket = fieldPath.IndexOf('[');
        if (bracket > 0 && fieldPath.EndsWith(']'))
        {
            var basePath = fieldPath[..bracket];
            var subscript = fieldPath[(bracket + 1)..^1].Trim('\'');
            return basePath switch
            {
                "metadata.annotations" => FieldChecks.QualifiedName(subscript.ToLowerInvariant(), path).ToList(),
                "metadata.labels" => FieldChecks.QualifiedName(subscript, path).ToList(),
                _ => [FieldError.Invalid(path, basePath, "does not support subscript")],
            };
        }
        if (!allowed.Contains(fieldPath))
        {
            return [FieldChecks.NotSupportedSorted(FieldChecks.Child(path, "fieldPath"), fieldPath, allowed)];
        }
        return [];
    }

    /// <summary>A resource field reference (env or downward API volume item).</summary>
    public static List<FieldError> ResourceFieldSelector(V1ResourceFieldSelector fs, string path, bool volume)
    {
        var errs = new List<FieldError>();
        if (volume && string.IsNullOrEmpty(fs.ContainerName))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "containerName")));
        }
        else if (string.IsNullOrEmpty(fs.Resource))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "resource")));
        }
        else if (!ContainerResourceFieldPaths.Contains(fs.Resource)
            && !fs.Resource.StartsWith("requests.hugepages-", StringComparison.Ordinal)
            && !fs.Resource.StartsWith("limits.hugepages-", StringComparison.Ordinal))
        {
            errs.Add(FieldChecks.NotSupportedSorted(FieldChecks.Child(path, "resource"), fs.Resource, ContainerResourceFieldPaths));
        }
        return errs;
    }

    private static List<FieldError> KeySelector(string? name, string? key, string path)
    {
        var errs = FieldChecks.Messages(FieldChecks.Child(path, "name"), name ?? "", ValidationRules.IsDNS1123Subdomain(name ?? "")).ToList();
        if (string.IsNullOrEmpty(key))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "key")));
        }
        else
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "key"), key, ValidationRules.IsConfigMapKey(key)));
        }
        return errs;
    }

    private static List<FieldError> EnvFrom(IList<V1EnvFromSource>? envFrom, string path)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (envFrom?.Count ?? 0); i++)
        {
            var e = envFrom![i];
            var p = FieldChecks.Index(path, i);
            if (!string.IsNullOrEmpty(e.Prefix))
            {
                errs.AddRange(FieldChecks.Messages(FieldChecks.Child(p, "prefix"), e.Prefix, ValidationRules.IsRelaxedEnvVarName(e.Prefix)));
            }
            var sources = 0;
            if (e.ConfigMapRef != null)
            {
                sources++;
                errs.AddRange(EnvSourceName(e.ConfigMapRef.Name, FieldChecks.Child(p, "configMapRef")));
            }
            if (e.SecretRef != null)
            {
                sources++;
                errs.AddRange(EnvSourceName(e.SecretRef.Name, FieldChecks.Child(p, "secretRef")));
            }
            if (sources == 0)
            {
                errs.Add(FieldError.Invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
            }
            else if (sources > 1)
            {
                errs.Add(FieldError.Invalid(path, "", "may not have more than one field specified at a time"));
            }
        }
        return errs;
    }

    private static List<FieldError> EnvSourceName(string? name, string path) =>
        string.IsNullOrEmpty(name)
            ? [FieldError.Required(FieldChecks.Child(path, "name"))]
            : FieldChecks.Messages(FieldChecks.Child(path, "name"), name, ValidationRules.NameIs(NameRule.Subdomain, name, prefix: true)).ToList();

    private static List<FieldError> VolumeMounts(V1Container c, IReadOnlyDictionary<string, V1Volume> volumes, string path)
    {
        var errs = new List<FieldError>();
        var devices = (c.VolumeDevices ?? []).GroupBy(d => d.Name ?? "").ToDictionary(g => g.Key, g => g.Last().DevicePath ?? "");
        var mountPoints = new HashSet<string>();
        var mounts = c.VolumeMounts ?? [];
        for (var i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            var p = FieldChecks.Index(path, i);
            if (string.IsNullOrEmpty(m.Name))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "name")));
            }
            if (!volumes.ContainsKey(m.Name ?? ""))
            {
                errs.Add(FieldError.NotFound(FieldChecks.Child(p, "name"), m.Name ?? ""));
            }
            if (string.IsNullOrEmpty(m.MountPath))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "mountPath")));
            }
            if (!mountPoints.Add(m.MountPath ?? ""))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "mountPath"), m.MountPath ?? "", "must be unique"));
            }
            if (devices.ContainsKey(m.Name ?? ""))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "name"), m.Name ?? "", "must not already exist in volumeDevices"));
            }
            if (devices.ContainsValue(m.MountPath ?? ""))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "mountPath"), m.MountPath ?? "", "must not already exist as a path in volumeDevices"));
            }
            if (!string.IsNullOrEmpty(m.SubPath))
            {
                errs.AddRange(VolumeValidation.LocalDescendingPath(m.SubPath, FieldChecks.Child(path, "subPath")));
            }
            if (!string.IsNullOrEmpty(m.SubPathExpr))
            {
                if (!string.IsNullOrEmpty(m.SubPath))
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(p, "subPathExpr"), m.SubPathExpr, "subPathExpr and subPath are mutually exclusive"));
                }
                errs.AddRange(VolumeValidation.LocalDescendingPath(m.SubPathExpr, FieldChecks.Child(path, "subPathExpr")));
            }
            if (m.MountPropagation != null)
            {
                if (m.MountPropagation is not ("Bidirectional" or "HostToContainer" or "None"))
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "mountPropagation"), m.MountPropagation, "Bidirectional", "HostToContainer", "None"));
                }
                else if (m.MountPropagation == "Bidirectional" && c.SecurityContext?.Privileged != true)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"));
                }
            }
            if (m.RecursiveReadOnly != null)
            {
                var rroPath = FieldChecks.Child(path, "recursiveReadOnly");
                switch (m.RecursiveReadOnly)
                {
                    case "Disabled":
                        break;
                    case "Enabled" or "IfPossible":
                        if (m.ReadOnlyProperty != true)
                        {
                            errs.Add(FieldError.Forbidden(rroPath, "may only be specified when readOnly is true"));
                        }
                        if (m.MountPropagation != null && m.MountPropagation != "None")
                        {
                            errs.Add(FieldError.Forbidden(rroPath, "may only be specified when mountPropagation is None or not specified"));
                        }
                        break;
                    default:
                        errs.Add(FieldChecks.NotSupported(rroPath, m.RecursiveReadOnly, "Disabled", "Enabled", "IfPossible"));
                        break;
                }
            }
        }
        return errs;
    }

    private static List<FieldError> VolumeDevices(V1Container c, IReadOnlyDictionary<string, V1Volume> volumes, string path)
    {
        var errs = new List<FieldError>();
        var mounts = (c.VolumeMounts ?? []).GroupBy(m => m.Name ?? "").ToDictionary(g => g.Key, g => g.Last().MountPath ?? "");
        var devicePaths = new HashSet<string>();
        var deviceNames = new HashSet<string>();
        var devices = c.VolumeDevices ?? [];
        for (var i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            var p = FieldChecks.Index(path, i);
            var name = d.Name ?? "";
            var devPath = d.DevicePath ?? "";
            volumes.TryGetValue(name, out var volume);
            var isPvc = volume?.PersistentVolumeClaim != null || volume?.Ephemeral != null;
            if (name.Length == 0)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "name")));
            }
            if (deviceNames.Contains(name))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "name"), name, "must be unique"));
            }
            if (volume != null && !isPvc)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "name"), name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
            }
            if (volume == null)
            {
                errs.Add(FieldError.NotFound(FieldChecks.Child(p, "name"), name));
            }
            if (devPath.Length == 0)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "devicePath")));
            }
            if (devicePaths.Contains(devPath))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "devicePath"), devPath, "must be unique"));
            }
            if (devPath.Length > 0 && devPath.Replace('\\', '/').Split('/').Contains(".."))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "devicePath"), devPath, "can not contain backsteps ('..')"));
            }
            else
            {
                devicePaths.Add(devPath);
            }
            if (mounts.ContainsKey(name))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "name"), name, "must not already exist in volumeMounts"));
            }
            if (mounts.ContainsValue(devPath))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "devicePath"), devPath, "must not already exist as a path in volumeMounts"));
            }
            if (name.Length > 0)
            {
                deviceNames.Add(name);
            }
        }
        return errs;
    }

    private static List<FieldError> ResizePolicy(IList<V1ContainerResizePolicy>? policies, string path, string podRestartPolicy)
    {
        var errs = new List<FieldError>();
        var seen = new HashSet<string>();
        for (var i = 0; i < (policies?.Count ?? 0); i++)
        {
            var p = policies![i];
            if (!seen.Add(p.ResourceName ?? ""))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Index(path, i), p.ResourceName ?? ""));
            }
            switch (p.ResourceName)
            {
                case "cpu" or "memory":
                    break;
                case null or "":
                    errs.Add(FieldError.Required(path));
                    break;
                default:
                    errs.Add(FieldChecks.NotSupported(path, p.ResourceName, "cpu", "memory"));
                    break;
            }
            switch (p.RestartPolicy)
            {
                case "NotRequired" or "RestartContainer":
                    break;
                case null or "":
                    errs.Add(FieldError.Required(path));
                    break;
                default:
                    errs.Add(FieldChecks.NotSupported(path, p.RestartPolicy, "NotRequired", "RestartContainer"));
                    break;
            }
            if (podRestartPolicy == "Never" && p.RestartPolicy != "NotRequired")
            {
                errs.Add(FieldError.Invalid(path, p.RestartPolicy ?? "", "must be 'NotRequired' when `restartPolicy` is 'Never'"));
            }
        }
        return errs;
    }

    private static List<FieldError> SecurityContext(V1SecurityContext? sc, string path, bool hostUsers)
    {
        var errs = new List<FieldError>();
        if (sc == null)
        {
            return errs;
        }
        if (sc.RunAsUser is { } uid)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "runAsUser"), uid, ValidationRules.IsValidUserId(uid)));
        }
        if (sc.RunAsGroup is { } gid)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "runAsGroup"), gid, ValidationRules.IsValidGroupId(gid)));
        }
        if (sc.ProcMount != null)
        {
            if (sc.ProcMount is not ("Default" or "Unmasked"))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "procMount"), sc.ProcMount, "Default", "Unmasked"));
            }
            if (hostUsers && sc.ProcMount == "Unmasked")
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "procMount"), sc.ProcMount, "`hostUsers` must be false to use `Unmasked`"));
            }
        }
        errs.AddRange(PodSpecValidation.SeccompProfile(sc.SeccompProfile, FieldChecks.Child(path, "seccompProfile")));
        if (sc.AllowPrivilegeEscalation == false)
        {
            if (sc.Privileged == true)
            {
                errs.Add(FieldChecks.Invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
            }
            if (sc.Capabilities?.Add?.Contains("CAP_SYS_ADMIN") == true)
            {
                errs.Add(FieldChecks.Invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
            }
        }
        return errs;
    }

    // ---- probes and handlers ----

    private static List<FieldError> LivenessProbe(V1Probe? probe, long? grace, string path)
    {
        if (probe == null)
        {
            return [];
        }
        var errs = Probe(probe, grace, path);
        if ((probe.SuccessThreshold ?? 0) != 1)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "successThreshold"), probe.SuccessThreshold ?? 0, "must be 1"));
        }
        return errs;
    }

    private static List<FieldError> ReadinessProbe(V1Probe? probe, long? grace, string path)
    {
        if (probe == null)
        {
            return [];
        }
        var errs = Probe(probe, grace, path);
        if (probe.TerminationGracePeriodSeconds is { } t)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "terminationGracePeriodSeconds"), t, "must not be set for readinessProbes"));
        }
        return errs;
    }

    private static List<FieldError> Probe(V1Probe probe, long? grace, string path)
    {
        var errs = Handler(probe.Exec, probe.HttpGet, probe.TcpSocket, probe.Grpc, null, grace, path);
        errs.AddRange(FieldChecks.NonNegative(probe.InitialDelaySeconds ?? 0, FieldChecks.Child(path, "initialDelaySeconds")));
        errs.AddRange(FieldChecks.NonNegative(probe.TimeoutSeconds ?? 0, FieldChecks.Child(path, "timeoutSeconds")));
        errs.AddRange(FieldChecks.NonNegative(probe.PeriodSeconds ?? 0, FieldChecks.Child(path, "periodSeconds")));
        errs.AddRange(FieldChecks.NonNegative(probe.SuccessThreshold ?? 0, FieldChecks.Child(path, "successThreshold")));
        errs.AddRange(FieldChecks.NonNegative(probe.FailureThreshold ?? 0, FieldChecks.Child(path, "failureThreshold")));
        if (probe.TerminationGracePeriodSeconds is { } t && t <= 0)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "terminationGracePeriodSeconds"), t, "must be greater than 0"));
        }
        return errs;
    }

    private static List<FieldError> Lifecycle(V1Lifecycle l, long? grace, string path)
    {
        var errs = new List<FieldError>();
        if (l.PostStart is { } ps)
        {
            errs.AddRange(Handler(ps.Exec, ps.HttpGet, ps.TcpSocket, null, ps.Sleep, grace, FieldChecks.Child(path, "postStart")));
        }
        if (l.PreStop is { } pre)
        {
            errs.AddRange(Handler(pre.Exec, pre.HttpGet, pre.TcpSocket, null, pre.Sleep, grace, FieldChecks.Child(path, "preStop")));
        }
        return errs;
    }

    private static List<FieldError> Handler(V1ExecAction? exec, V1HTTPGetAction? http, V1TCPSocketAction? tcp, V1GRPCAction? grpc, V1SleepAction? sleep, long? grace, string path)
    {
        var errs = new List<FieldError>();
        var n = 0;
        bool First(object? handler, string field)
        {
            if (handler == null)
            {
                return false;
            }
            if (n > 0)
            {
                errs.Add(FieldError.Forbidden(FieldChecks.Child(path, field), "may not specify more than 1 handler type"));
                return false;
            }
            n++;
            return true;
        }
        if (First(exec, "exec") && (exec!.Command?.Count ?? 0) == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "exec.command")));
        }
        if (First(http, "httpGet"))
        {
            var hp = FieldChecks.Child(path, "httpGet");
            if (string.IsNullOrEmpty(http!.Path))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(hp, "path")));
            }
            errs.AddRange(FieldChecks.PortNumOrName(http.Port, FieldChecks.Child(hp, "port")));
            if (http.Scheme is not ("HTTP" or "HTTPS"))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(hp, "scheme"), http.Scheme ?? "", "HTTP", "HTTPS"));
            }
            foreach (var h in http.HttpHeaders ?? [])
            {
                errs.AddRange(FieldChecks.Messages(FieldChecks.Child(hp, "httpHeaders"), h.Name ?? "", ValidationRules.IsHTTPHeaderName(h.Name ?? "")));
            }
        }
        if (First(tcp, "tcpSocket"))
        {
            errs.AddRange(FieldChecks.PortNumOrName(tcp!.Port, FieldChecks.Child(path, "tcpSocket.port")));
        }
        if (First(grpc, "grpc"))
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "grpc.port"), grpc!.Port, ValidationRules.IsValidPortNum(grpc.Port)));
        }
        if (First(sleep, "sleep") && grace is { } g && (sleep!.Seconds <= 0 || sleep.Seconds > g))
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "sleep"), sleep.Seconds,
                $"must be greater than 0 and less than terminationGracePeriodSeconds ({g})"));
        }
        if (n == 0)
        {
            errs.Add(FieldError.Required(path, "must specify a handler type"));
        }
        return errs;
    }
}
