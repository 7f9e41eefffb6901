using System.Text.RegularExpressions;
using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Validation of a PodSpec and of pod templates, as upstream's ValidatePodSpec and
/// ValidatePodTemplateSpec (pkg/apis/core/validation). Container and volume rules live in
/// <see cref="ContainerValidation"/> and <see cref="VolumeValidation"/>.
/// </summary>
public static partial class PodSpecValidation
{
    public const int MaxDnsNameservers = 3;
    public const int MaxDnsSearchPaths = 32;
    public const int MaxDnsSearchListChars = 2048;

    private const string SysctlSegmentFmt = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
    private const string SysctlFmt = "(" + SysctlSegmentFmt + "[\\./])*" + SysctlSegmentFmt;

    [GeneratedRegex("^(?:" + SysctlFmt + ")\\z")]
    private static partial Regex SysctlRegex();

    /// <summary>
    /// Errors in a PodSpec. <paramref name="podMeta"/> is given for real pods only (it names the
    /// claims of ephemeral volumes); <paramref name="isPod"/> enables the rules that apply to pods
    /// and not to templates.
    /// </summary>
    public static List<FieldError> ValidatePodSpec(V1PodSpec? spec, V1ObjectMeta? podMeta, string path, bool isPod)
    {
        var errs = new List<FieldError>();
        spec ??= new V1PodSpec();
        if (spec.TerminationGracePeriodSeconds == null)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "terminationGracePeriodSeconds")));
        }
        var hostUsers = spec.HostUsers ?? true;
        var (volumes, volumeErrors) = VolumeValidation.ValidateVolumes(spec.Volumes, podMeta, FieldChecks.Child(path, "volumes"));
        errs.AddRange(volumeErrors);
        var claimNames = new HashSet<string>((spec.ResourceClaims ?? []).Select(c => c.Name ?? "").Where(n => n.Length > 0));
        errs.AddRange(ResourceClaims(spec.ResourceClaims, FieldChecks.Child(path, "resourceClaims")));
        var ctx = new ContainerValidation.Context(volumes, claimNames, spec.TerminationGracePeriodSeconds, spec.RestartPolicy ?? "", hostUsers);
        errs.AddRange(ContainerValidation.ValidateContainers(spec.Containers, ctx, FieldChecks.Child(path, "containers")));
        errs.AddRange(ContainerValidation.ValidateInitContainers(spec.InitContainers, spec.Containers, ctx, FieldChecks.Child(path, "initContainers")));
        errs.AddRange(ContainerValidation.ValidateEphemeralContainers(spec.EphemeralContainers, spec.Containers, spec.InitContainers, ctx, FieldChecks.Child(path, "ephemeralContainers")));
        errs.AddRange(HostNetworkDeps(spec, path, isPod));
        errs.AddRange(Enum(spec.RestartPolicy, FieldChecks.Child(path, "restartPolicy"), "Always", "OnFailure", "Never"));
        errs.AddRange(Enum(spec.DnsPolicy, FieldChecks.Child(path, "dnsPolicy"), "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"));
        errs.AddRange(ObjectMetaValidation.ValidateLabels(spec.NodeSelector, FieldChecks.Child(path, "nodeSelector")));
        errs.AddRange(PodSecurityContext(spec, FieldChecks.Child(path, "securityContext")));
        errs.AddRange(Affinity(spec.Affinity, FieldChecks.Child(path, "affinity")));
        errs.AddRange(DnsConfig(spec.DnsConfig, spec.DnsPolicy, FieldChecks.Child(path, "dnsConfig")));
        var gates = spec.ReadinessGates ?? [];
        for (var i = 0; i < gates.Count; i++)
        {
            errs.AddRange(FieldChecks.QualifiedName(gates[i].ConditionType ?? "", FieldChecks.Child(FieldChecks.Index(FieldChecks.Child(path, "readinessGates"), i), "conditionType")));
        }
        errs.AddRange(SchedulingGates(spec.SchedulingGates, FieldChecks.Child(path, "schedulingGates")));
        errs.AddRange(TopologySpread(spec.TopologySpreadConstraints, FieldChecks.Child(path, "topologySpreadConstraints")));
        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.ServiceAccountName, FieldChecks.Child(path, "serviceAccountName")));
        }
        if (!string.IsNullOrEmpty(spec.NodeName))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.NodeName, FieldChecks.Child(path, "nodeName")));
        }
        if (spec.ActiveDeadlineSeconds is { } ads && (ads < 1 || ads > int.MaxValue))
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "activeDeadlineSeconds"), ads, ValidationRules.InclusiveRangeError(1, int.MaxValue)));
        }
        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            errs.AddRange(FieldChecks.DNS1123Label(spec.Hostname, FieldChecks.Child(path, "hostname")));
        }
        if (!string.IsNullOrEmpty(spec.Subdomain))
        {
            errs.AddRange(FieldChecks.DNS1123Label(spec.Subdomain, FieldChecks.Child(path, "subdomain")));
        }
        if (spec.Tolerations is { Count: > 0 })
        {
            errs.AddRange(ValidateTolerations(spec.Tolerations, FieldChecks.Child(path, "tolerations")));
        }
        var aliases = spec.HostAliases ?? [];
        for (var i = 0; i < aliases.Count; i++)
        {
            var ap = FieldChecks.Index(FieldChecks.Child(path, "hostAliases"), i);
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(ap, "ip"), aliases[i].Ip ?? "", ValidationRules.IsValidIP(aliases[i].Ip ?? "")));
            var names = aliases[i].Hostnames ?? [];
            for (var j = 0; j < names.Count; j++)
            {
                errs.AddRange(FieldChecks.DNS1123Subdomain(names[j] ?? "", FieldChecks.Index(FieldChecks.Child(ap, "hostnames"), j)));
            }
        }
        if (!string.IsNullOrEmpty(spec.PriorityClassName))
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.PriorityClassName, FieldChecks.Child(path, "priorityClassName")));
        }
        if (spec.RuntimeClassName != null)
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(spec.RuntimeClassName, FieldChecks.Child(path, "runtimeClassName")));
        }
        if (spec.PreemptionPolicy != null)
        {
            errs.AddRange(Enum(spec.PreemptionPolicy, FieldChecks.Child(path, "preemptionPolicy"), "PreemptLowerPriority", "Never"));
        }
        if (spec.Overhead != null)
        {
            errs.AddRange(ResourceValidation.ValidateResourceRequirements(new V1ResourceRequirements { Limits = spec.Overhead }, claimNames, FieldChecks.Child(path, "overhead")));
        }
        if (spec.Os != null)
        {
            var osPath = FieldChecks.Child(path, "os.name");
            if (string.IsNullOrEmpty(spec.Os.Name))
            {
                errs.Add(FieldError.Required(osPath));
            }
            if (spec.Os.Name is not ("linux" or "windows"))
            {
                errs.Add(FieldChecks.NotSupported(osPath, spec.Os.Name ?? "", "linux", "windows"));
            }
        }
        return errs;
    }

    /// <summary>Errors in a pod template (labels, annotations, spec; no ephemeral containers).</summary>
    public static List<FieldError> ValidatePodTemplateSpec(V1PodTemplateSpec? template, string path)
    {
        var errs = ObjectMetaValidation.ValidateTemplateMeta(template?.Metadata, FieldChecks.Child(path, "metadata"));
        errs.AddRange(ValidatePodSpec(template?.Spec, null, FieldChecks.Child(path, "spec"), isPod: false));
        if (template?.Spec?.EphemeralContainers is { Count: > 0 })
        {
            errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "spec.ephemeralContainers"), "ephemeral containers not allowed in pod template"));
        }
        return errs;
    }

    /// <summary>An enum field: empty is Required, unknown is NotSupported listing the values in the given order.</summary>
    public static List<FieldError> Enum(string? value, string path, params string[] allowed)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [FieldError.Required(path)];
        }
        return allowed.Contains(value) ? [] : [FieldChecks.NotSupported(path, value, allowed)];
    }

    private static List<FieldError> ResourceClaims(IList<V1PodResourceClaim>? claims, string path)
    {
        var errs = new List<FieldError>();
        var names = new HashSet<string>();
        for (var i = 0; i < (claims?.Count ?? 0); i++)
        {
            var c = claims![i];
            var p = FieldChecks.Index(path, i);
            if (string.IsNullOrEmpty(c.Name))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "name")));
                continue;
            }
            if (!names.Add(c.Name))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "name"), c.Name));
            }
            errs.AddRange(FieldChecks.DNS1123Label(c.Name, FieldChecks.Child(p, "name")));
        }
        return errs;
    }

    private static List<FieldError> HostNetworkDeps(V1PodSpec spec, string path, bool isPod)
    {
        var errs = new List<FieldError>();
        if (spec.HostNetwork != true)
        {
            return errs;
        }
        var containers = spec.Containers ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            var ports = containers[i].Ports ?? [];
            for (var j = 0; j < ports.Count; j++)
            {
                var hp = ports[j].HostPort ?? 0;
                if ((isPod || hp != 0) && hp != ports[j].ContainerPort)
                {
                    errs.Add(FieldError.Invalid($"{path}.containers[{i}].ports[{j}].hostPort", hp, "must match `containerPort` when `hostNetwork` is true"));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> PodSecurityContext(V1PodSpec spec, string path)
    {
        var errs = new List<FieldError>();
        var sc = spec.SecurityContext;
        if (sc == null)
        {
            return errs;
        }
        if (sc.FsGroup is { } fsg)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "fsGroup"), fsg, ValidationRules.IsValidGroupId(fsg)));
        }
        if (sc.RunAsUser is { } uid)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "runAsUser"), uid, ValidationRules.IsValidUserId(uid)));
        }
        if (sc.RunAsGroup is { } gid)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "runAsGroup"), gid, ValidationRules.IsValidGroupId(gid)));
        }
        var groups = sc.SupplementalGroups ?? [];
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i] ?? 0;
            errs.AddRange(FieldChecks.Messages(FieldChecks.Index(FieldChecks.Child(path, "supplementalGroups"), i), g, ValidationRules.IsValidGroupId(g)));
        }
        if (spec.ShareProcessNamespace == true && spec.HostPID == true)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"));
        }
        var sysctls = sc.Sysctls ?? [];
        var seen = new HashSet<string>();
        for (var i = 0; i < sysctls.Count; i++)
        {
            var np = FieldChecks.Child(FieldChecks.Index(FieldChecks.Child(path, "sysctls"), i), "name");
            var name = sysctls[i].Name ?? "";
            if (name.Length == 0)
            {
                errs.Add(FieldError.Required(np));
            }
            else if (name.Length > 253 || !SysctlRegex().IsMatch(name))
            {
                errs.Add(FieldError.Invalid(np, name, $"must have at most 253 characters and match regex {SysctlFmt}"));
            }
            else if (!seen.Add(name))
            {
                errs.Add(FieldError.Duplicate(np, name));
            }
        }
        if (sc.FsGroupChangePolicy != null && sc.FsGroupChangePolicy is not ("OnRootMismatch" or "Always"))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "fsGroupChangePolicy"), sc.FsGroupChangePolicy, "Always", "OnRootMismatch"));
        }
        errs.AddRange(SeccompProfile(sc.SeccompProfile, FieldChecks.Child(path, "seccompProfile")));
        if (sc.SupplementalGroupsPolicy != null && sc.SupplementalGroupsPolicy is not ("Merge" or "Strict"))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "supplementalGroupsPolicy"), sc.SupplementalGroupsPolicy, "Merge", "Strict"));
        }
        return errs;
    }

    internal static List<FieldError> SeccompProfile(V1SeccompProfile? sp, string path)
    {
        var errs = new List<FieldError>();
        if (sp == null)
        {
            return errs;
        }
        switch (sp.Type)
        {
            case "Localhost" or "RuntimeDefault" or "Unconfined":
                break;
            case null or "":
                errs.Add(FieldError.Required(FieldChecks.Child(path, "type"), "type is required when seccompProfile is set"));
                break;
            default:
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "type"), sp.Type, "Localhost", "RuntimeDefault", "Unconfined"));
                break;
        }
        if (sp.Type == "Localhost")
        {
            if (sp.LocalhostProfile == null)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(path, "localhostProfile"), "must be set when seccomp type is Localhost"));
            }
            else
            {
                errs.AddRange(VolumeValidation.LocalDescendingPath(sp.LocalhostProfile, FieldChecks.Child(path, "localhostProfile")));
            }
        }
        else if (sp.LocalhostProfile != null)
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "localhostProfile"), sp, "can only be set when seccomp type is Localhost"));
        }
        return errs;
    }

    private static List<FieldError> DnsConfig(V1PodDNSConfig? config, string? dnsPolicy, string path)
    {
        var errs = new List<FieldError>();
        if (dnsPolicy == "None")
        {
            if (config == null)
            {
                errs.Add(FieldError.Required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
                return errs;
            }
            if ((config.Nameservers?.Count ?? 0) == 0)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(path, "nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"));
                return errs;
            }
        }
        if (config == null)
        {
            return errs;
        }
        var ns = config.Nameservers ?? [];
        if (ns.Count > MaxDnsNameservers)
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "nameservers"), ns, $"must not have more than {MaxDnsNameservers} nameservers"));
        }
        for (var i = 0; i < ns.Count; i++)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Index(FieldChecks.Child(path, "nameservers"), i), ns[i] ?? "", ValidationRules.IsValidIP(ns[i] ?? "")));
        }
        var searches = config.Searches ?? [];
        if (searches.Count > MaxDnsSearchPaths)
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "searches"), searches, $"must not have more than {MaxDnsSearchPaths} search paths"));
        }
        if (string.Join(' ', searches).Length > MaxDnsSearchListChars)
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "searches"), searches, $"must not have more than {MaxDnsSearchListChars} characters (including spaces) in the search list"));
        }
        for (var i = 0; i < searches.Count; i++)
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain((searches[i] ?? "").TrimEnd('.'), FieldChecks.Index(FieldChecks.Child(path, "searches"), i)));
        }
        var options = config.Options ?? [];
        for (var i = 0; i < options.Count; i++)
        {
            if (string.IsNullOrEmpty(options[i].Name))
            {
                errs.Add(FieldError.Required(FieldChecks.Index(FieldChecks.Child(path, "options"), i), "must not be empty"));
            }
        }
        return errs;
    }

    /// <summary>Tolerations: qualified-name keys, Exists with an empty key, NoExecute with seconds, values by operator.</summary>
    public static List<FieldError> ValidateTolerations(IList<V1Toleration> tolerations, string path)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < tolerations.Count; i++)
        {
            var t = tolerations[i];
            var p = FieldChecks.Index(path, i);
            if (!string.IsNullOrEmpty(t.Key))
            {
                errs.AddRange(FieldChecks.QualifiedName(t.Key, FieldChecks.Child(p, "key")));
            }
            if (string.IsNullOrEmpty(t.Key) && t.OperatorProperty != "Exists")
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "operator"), t.OperatorProperty ?? "",
                    "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (t.TolerationSeconds != null && t.Effect != "NoExecute")
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "effect"), t.Effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            switch (t.OperatorProperty)
            {
                case "Equal" or "" or null:
                    var msgs = ValidationRules.IsValidLabelValue(t.Value ?? "");
                    if (msgs.Count > 0)
                    {
                        errs.Add(FieldError.Invalid(FieldChecks.Child(p, "operator"), t.Value ?? "", string.Join(";", msgs)));
                    }
                    break;
                case "Exists":
                    if (!string.IsNullOrEmpty(t.Value))
                    {
                        errs.Add(FieldChecks.Invalid(FieldChecks.Child(p, "operator"), t, "value must be empty when `operator` is 'Exists'"));
                    }
                    break;
                default:
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, "operator"), t.OperatorProperty, "Equal", "Exists"));
                    break;
            }
            if (!string.IsNullOrEmpty(t.Effect))
            {
                errs.AddRange(TaintEffect(t.Effect, allowEmpty: true, FieldChecks.Child(p, "effect")));
            }
        }
        return errs;
    }

    public static List<FieldError> TaintEffect(string? effect, bool allowEmpty, string path)
    {
        if (!allowEmpty && string.IsNullOrEmpty(effect))
        {
            return [FieldError.Required(path)];
        }
        return effect is "NoSchedule" or "PreferNoSchedule" or "NoExecute"
            ? []
            : [FieldChecks.NotSupported(path, effect ?? "", "NoSchedule", "PreferNoSchedule", "NoExecute")];
    }

    private static List<FieldError> SchedulingGates(IList<V1PodSchedulingGate>? gates, string path)
    {
        var errs = new List<FieldError>();
        var seen = new HashSet<string>();
        for (var i = 0; i < (gates?.Count ?? 0); i++)
        {
            var name = gates![i].Name ?? "";
            errs.AddRange(FieldChecks.QualifiedName(name, FieldChecks.Index(path, i)));
            if (!seen.Add(name))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Index(path, i), name));
            }
        }
        return errs;
    }

    private static List<FieldError> TopologySpread(IList<V1TopologySpreadConstraint>? constraints, string path)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (constraints?.Count ?? 0); i++)
        {
            var c = constraints![i];
            var p = FieldChecks.Index(path, i);
            if (c.MaxSkew <= 0)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "maxSkew"), c.MaxSkew, "must be greater than zero"));
            }
            if (string.IsNullOrEmpty(c.TopologyKey))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "topologyKey"), "can not be empty"));
            }
            if (c.WhenUnsatisfiable is not ("DoNotSchedule" or "ScheduleAnyway"))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, "whenUnsatisfiable"), c.WhenUnsatisfiable ?? "", "DoNotSchedule", "ScheduleAnyway"));
            }
            for (var j = i + 1; j < constraints.Count; j++)
            {
                if (constraints[j].TopologyKey == c.TopologyKey && constraints[j].WhenUnsatisfiable == c.WhenUnsatisfiable)
                {
                    errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "{topologyKey, whenUnsatisfiable}"), $"{{{c.TopologyKey}, {c.WhenUnsatisfiable}}}"));
                    break;
                }
            }
            if (c.MinDomains is { } md)
            {
                if (md <= 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(p, "minDomains"), md, "must be greater than zero"));
                }
                if (c.WhenUnsatisfiable != "DoNotSchedule")
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(p, "minDomains"), md, $"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {c.WhenUnsatisfiable}"));
                }
            }
            foreach (var (value, field) in new[] { (c.NodeAffinityPolicy, "nodeAffinityPolicy"), (c.NodeTaintsPolicy, "nodeTaintsPolicy") })
            {
                if (value != null && value is not ("Honor" or "Ignore"))
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, field), value, "Honor", "Ignore"));
                }
            }
            errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(c.LabelSelector, FieldChecks.Child(p, "labelSelector")));
        }
        return errs;
    }

    private static List<FieldError> Affinity(V1Affinity? affinity, string path)
    {
        var errs = new List<FieldError>();
        if (affinity == null)
        {
            return errs;
        }
        if (affinity.NodeAffinity is { } na)
        {
            var np = FieldChecks.Child(path, "nodeAffinity");
            if (na.RequiredDuringSchedulingIgnoredDuringExecution is { } req)
            {
                errs.AddRange(NodeSelector(req, FieldChecks.Child(np, "requiredDuringSchedulingIgnoredDuringExecution")));
            }
            var preferred = na.PreferredDuringSchedulingIgnoredDuringExecution ?? [];
            for (var i = 0; i < preferred.Count; i++)
            {
                var pp = FieldChecks.Index(FieldChecks.Child(np, "preferredDuringSchedulingIgnoredDuringExecution"), i);
                if (preferred[i].Weight is <= 0 or > 100)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(pp, "weight"), preferred[i].Weight, "must be in the range 1-100"));
                }
                errs.AddRange(NodeSelectorTerm(preferred[i].Preference, FieldChecks.Child(pp, "preference")));
            }
        }
        if (affinity.PodAffinity is { } pa)
        {
            errs.AddRange(PodAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, FieldChecks.Child(path, "podAffinity")));
        }
        if (affinity.PodAntiAffinity is { } paa)
        {
            errs.AddRange(PodAffinityTerms(paa.RequiredDuringSchedulingIgnoredDuringExecution, paa.PreferredDuringSchedulingIgnoredDuringExecution, FieldChecks.Child(path, "podAntiAffinity")));
        }
        return errs;
    }

    private static List<FieldError> PodAffinityTerms(IList<V1PodAffinityTerm>? required, IList<V1WeightedPodAffinityTerm>? preferred, string path)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (required?.Count ?? 0); i++)
        {
            errs.AddRange(PodAffinityTerm(required![i], FieldChecks.Index(FieldChecks.Child(path, "requiredDuringSchedulingIgnoredDuringExecution"), i)));
        }
        for (var i = 0; i < (preferred?.Count ?? 0); i++)
        {
            var pp = FieldChecks.Index(FieldChecks.Child(path, "preferredDuringSchedulingIgnoredDuringExecution"), i);
            if (preferred![i].Weight is <= 0 or > 100)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(pp, "weight"), preferred[i].Weight, "must be in the range 1-100"));
            }
            errs.AddRange(PodAffinityTerm(preferred[i].PodAffinityTerm ?? new V1PodAffinityTerm(), FieldChecks.Child(pp, "podAffinityTerm")));
        }
        return errs;
    }

    private static List<FieldError> PodAffinityTerm(V1PodAffinityTerm term, string path)
    {
        var errs = ObjectMetaValidation.ValidateLabelSelector(term.LabelSelector, FieldChecks.Child(path, "labelSelector"));
        errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(term.NamespaceSelector, FieldChecks.Child(path, "namespaceSelector")));
        foreach (var ns in term.Namespaces ?? [])
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "namespace"), ns ?? "", ValidationRules.IsDNS1123Label(ns ?? "")));
        }
        if (string.IsNullOrEmpty(term.TopologyKey))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "topologyKey"), "can not be empty"));
        }
        errs.AddRange(FieldChecks.QualifiedName(term.TopologyKey ?? "", FieldChecks.Child(path, "topologyKey")));
        return errs;
    }

    public static List<FieldError> NodeSelector(V1NodeSelector selector, string path)
    {
        var termsPath = FieldChecks.Child(path, "nodeSelectorTerms");
        var terms = selector.NodeSelectorTerms ?? [];
        if (terms.Count == 0)
        {
            return [FieldError.Required(termsPath, "must have at least one node selector term")];
        }
        var errs = new List<FieldError>();
        for (var i = 0; i < terms.Count; i++)
        {
            errs.AddRange(NodeSelectorTerm(terms[i], FieldChecks.Index(termsPath, i)));
        }
        return errs;
    }

    private static List<FieldError> NodeSelectorTerm(V1NodeSelectorTerm? term, string path)
    {
        var errs = new List<FieldError>();
        var exprs = term?.MatchExpressions ?? [];
        for (var j = 0; j < exprs.Count; j++)
        {
            var r = exprs[j];
            var p = FieldChecks.Index(FieldChecks.Child(path, "matchExpressions"), j);
            var n = r.Values?.Count ?? 0;
            switch (r.OperatorProperty)
            {
                case "In" or "NotIn":
                    if (n == 0)
                    {
                        errs.Add(FieldError.Required(FieldChecks.Child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                    break;
                case "Exists" or "DoesNotExist":
                    if (n > 0)
                    {
                        errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                    break;
                case "Gt" or "Lt":
                    if (n != 1)
                    {
                        errs.Add(FieldError.Required(FieldChecks.Child(p, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
                    }
                    break;
                default:
                    errs.Add(FieldError.Invalid(FieldChecks.Child(p, "operator"), r.OperatorProperty ?? "", "not a valid selector operator"));
                    break;
            }
            errs.AddRange(FieldChecks.QualifiedName(r.Key ?? "", FieldChecks.Child(p, "key")));
        }
        var fields = term?.MatchFields ?? [];
        for (var j = 0; j < fields.Count; j++)
        {
            var r = fields[j];
            var p = FieldChecks.Index(FieldChecks.Child(path, "matchFields"), j);
            if (r.OperatorProperty is "In" or "NotIn")
            {
                if ((r.Values?.Count ?? 0) != 1)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(p, "values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
                }
            }
            else
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "operator"), r.OperatorProperty ?? "", "not a valid selector operator"));
            }
            if (r.Key != "metadata.name")
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "key"), r.Key ?? "", "not a valid field selector key"));
            }
            else
            {
                var values = r.Values ?? [];
                for (var k = 0; k < values.Count; k++)
                {
                    errs.AddRange(FieldChecks.DNS1123Subdomain(values[k] ?? "", FieldChecks.Index(FieldChecks.Child(p, "values"), k)));
                }
            }
        }
        return errs;
    }
}
