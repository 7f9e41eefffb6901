using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Cluster settings the Service rules depend on.</summary>
/// <param name="NodePortMin">Lowest port of the node-port range (--service-node-port-range).</param>
/// <param name="NodePortMax">Highest port of the node-port range.</param>
/// <param name="DefaultIPFamily">The cluster's primary service IP family.</param>
public sealed record ServiceOptions(int NodePortMin = 30000, int NodePortMax = 32767, string DefaultIPFamily = "IPv4");

/// <summary>
/// Services (core/v1): defaults, validation and the update-time patching of allocated values.
/// ClusterIP and nodePort allocation belong to the API server's allocators; this strategy only
/// checks and keeps what was allocated.
/// </summary>
public sealed class ServiceStrategy(ServiceOptions? options = null) : KindStrategy<V1Service>
{
    public const int KubeletPort = 10250;
    public const int DefaultClientIPTimeoutSeconds = 10800;
    public const int MaxClientIPTimeoutSeconds = 86400;
    public const string LoadBalancerSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";

    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] IPFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];

    private readonly ServiceOptions _options = options ?? new ServiceOptions();

    public override void Default(V1Service obj)
    {
        obj.Spec ??= new V1ServiceSpec();
        var spec = obj.Spec;
        if (string.IsNullOrEmpty(spec.SessionAffinity))
        {
            spec.SessionAffinity = "None";
        }
        if (spec.SessionAffinity == "None")
        {
            spec.SessionAffinityConfig = null;
        }
        if (spec.SessionAffinity == "ClientIP" && spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds == null)
        {
            spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = DefaultClientIPTimeoutSeconds } };
        }
        if (string.IsNullOrEmpty(spec.Type))
        {
            spec.Type = "ClusterIP";
        }
        foreach (var p in spec.Ports ?? [])
        {
            if (string.IsNullOrEmpty(p.Protocol))
            {
                p.Protocol = "TCP";
            }
            if (IntOrStrings.IsZeroOrEmpty(p.TargetPort))
            {
                p.TargetPort = p.Port;
            }
        }
        if (ExternallyAccessible(spec) && string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            spec.ExternalTrafficPolicy = "Cluster";
        }
        if (spec.InternalTrafficPolicy == null && spec.Type is "NodePort" or "LoadBalancer" or "ClusterIP")
        {
            spec.InternalTrafficPolicy = "Cluster";
        }
        if (spec.Type == "LoadBalancer")
        {
            spec.AllocateLoadBalancerNodePorts ??= true;
            foreach (var ingress in obj.Status?.LoadBalancer?.Ingress ?? [])
            {
                if (!string.IsNullOrEmpty(ingress.Ip))
                {
                    ingress.IpMode ??= "VIP";
                }
            }
        }
        // Old clients set only clusterIP; the plural field follows it.
        if (!string.IsNullOrEmpty(spec.ClusterIP) && (spec.ClusterIPs?.Count ?? 0) == 0)
        {
            spec.ClusterIPs = [spec.ClusterIP];
        }
        // The IP-family fields, as the registry's allocator fills them for a single-stack cluster.
        if (spec.Type != "ExternalName")
        {
            var headless = IsHeadless(spec);
            spec.IpFamilyPolicy ??= headless && (spec.Selector?.Count ?? 0) == 0 ? "RequireDualStack" : "SingleStack";
            if ((spec.IpFamilies?.Count ?? 0) == 0)
            {
                spec.IpFamilies = headless || (spec.ClusterIPs?.Count ?? 0) == 0
                    ? [_options.DefaultIPFamily]
                    : spec.ClusterIPs!.Select(ip => ValidationRules.IsIPv6(ip) ? "IPv6" : "IPv4").ToList();
            }
        }
    }

    /// <summary>
    /// Keeps allocated values a client left out of a full update (clusterIP(s), nodePorts,
    /// healthCheckNodePort), keeps clusterIP and clusterIPs in step, and drops values that no
    /// longer apply after a type change (upstream's patchAllocatedValues, normalizeClusterIPs,
    /// dropTypeDependentFields).
    /// </summary>
    public override void PrepareForUpdate(V1Service obj, V1Service old)
    {
        obj.Spec ??= new V1ServiceSpec();
        var spec = obj.Spec;
        var oldSpec = old.Spec ?? new V1ServiceSpec();

        if (NeedsClusterIP(oldSpec) && NeedsClusterIP(spec))
        {
            if (string.IsNullOrEmpty(spec.ClusterIP))
            {
                spec.ClusterIP = oldSpec.ClusterIP;
            }
            if ((spec.ClusterIPs?.Count ?? 0) == 0 && (oldSpec.ClusterIPs?.Count ?? 0) > 0)
            {
                spec.ClusterIPs = [.. oldSpec.ClusterIPs!];
            }
        }
        if (NeedsNodePort(oldSpec) && NeedsNodePort(spec))
        {
            var used = new HashSet<int>(NodePorts(oldSpec).Intersect(NodePorts(spec)));
            var byName = new Dictionary<string, int>();
            foreach (var p in oldSpec.Ports ?? [])
            {
                byName[p.Name ?? ""] = p.NodePort ?? 0;
            }
            foreach (var p in spec.Ports ?? [])
            {
                if (p.NodePort is null or 0 && byName.TryGetValue(p.Name ?? "", out var oldPort) && oldPort != 0 && !used.Contains(oldPort))
                {
                    p.NodePort = oldPort;
                }
            }
        }
        if (NeedsHealthCheckNodePort(oldSpec) && NeedsHealthCheckNodePort(spec) && spec.HealthCheckNodePort is null or 0)
        {
            spec.HealthCheckNodePort = oldSpec.HealthCheckNodePort;
        }

        // normalizeClusterIPs (update)
        if ((oldSpec.ClusterIPs?.Count ?? 0) > 0 && (spec.ClusterIPs?.Count ?? 0) == 0 && oldSpec.ClusterIP == spec.ClusterIP)
        {
            spec.ClusterIPs = [.. oldSpec.ClusterIPs!];
        }
        if (oldSpec.ClusterIP != spec.ClusterIP)
        {
            var sameIPs = ObjectJson.SemanticEquals(oldSpec.ClusterIPs, spec.ClusterIPs);
            if (!string.IsNullOrEmpty(oldSpec.ClusterIP) && string.IsNullOrEmpty(spec.ClusterIP))
            {
                if (sameIPs)
                {
                    spec.ClusterIPs = null;
                }
            }
            else if (sameIPs)
            {
                spec.ClusterIPs = [spec.ClusterIP];
            }
        }

        // dropTypeDependentFields
        if (NeedsClusterIP(oldSpec) && !NeedsClusterIP(spec))
        {
            if (ObjectJson.SemanticEquals(oldSpec.ClusterIPs, spec.ClusterIPs))
            {
                spec.ClusterIP = null;
                spec.ClusterIPs = null;
            }
            if (ObjectJson.SemanticEquals(oldSpec.IpFamilies, spec.IpFamilies))
            {
                spec.IpFamilies = null;
            }
            if (oldSpec.IpFamilyPolicy == spec.IpFamilyPolicy)
            {
                spec.IpFamilyPolicy = null;
            }
        }
        if (NeedsNodePort(oldSpec) && !NeedsNodePort(spec) && NodePorts(oldSpec).SequenceEqual(NodePorts(spec)))
        {
            foreach (var p in spec.Ports ?? [])
            {
                p.NodePort = null;
            }
        }
        if (NeedsHealthCheckNodePort(oldSpec) && !NeedsHealthCheckNodePort(spec) && oldSpec.HealthCheckNodePort == spec.HealthCheckNodePort)
        {
            spec.HealthCheckNodePort = null;
        }
        if (oldSpec.Type == "LoadBalancer" && spec.Type != "LoadBalancer")
        {
            if (spec.AllocateLoadBalancerNodePorts != null && spec.AllocateLoadBalancerNodePorts == oldSpec.AllocateLoadBalancerNodePorts)
            {
                spec.AllocateLoadBalancerNodePorts = null;
            }
            if (spec.LoadBalancerClass == oldSpec.LoadBalancerClass)
            {
                spec.LoadBalancerClass = null;
            }
        }
        if (ExternallyAccessible(oldSpec) && !ExternallyAccessible(spec) && spec.ExternalTrafficPolicy == oldSpec.ExternalTrafficPolicy)
        {
            spec.ExternalTrafficPolicy = null;
        }
        if (spec.Type != "LoadBalancer" && obj.Status != null)
        {
            obj.Status.LoadBalancer = new V1LoadBalancerStatus();
        }
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Service obj)
    {
        var errs = ValidateService(obj);
        errs.AddRange(NodePortRange(obj.Spec, null));
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1Service obj, V1Service old)
    {
        var spec = obj.Spec ?? new V1ServiceSpec();
        var oldSpec = old.Spec ?? new V1ServiceSpec();
        var errs = UpgradeDowngradeClusterIPs(oldSpec, spec);
        errs.AddRange(UpgradeDowngradeIPFamilies(oldSpec, spec));
        errs.AddRange(LoadBalancerClass(oldSpec, spec));
        if (NeedsHealthCheckNodePort(oldSpec) && NeedsHealthCheckNodePort(spec) && spec.HealthCheckNodePort != oldSpec.HealthCheckNodePort)
        {
            errs.Add(FieldError.Forbidden("spec.healthCheckNodePort", "field is immutable"));
        }
        errs.AddRange(ValidateService(obj));
        errs.AddRange(NodePortRange(spec, oldSpec));
        return errs;
    }

    /// <summary>
    /// Requested nodePorts must lie in the cluster's range (the allocator's message); ports kept
    /// from the old object are not checked again.
    /// </summary>
    private List<FieldError> NodePortRange(V1ServiceSpec? spec, V1ServiceSpec? oldSpec)
    {
        var errs = new List<FieldError>();
        if (spec == null || !NeedsNodePort(spec))
        {
            return errs;
        }
        var old = oldSpec == null ? [] : NodePorts(oldSpec).ToHashSet();
        var ports = spec.Ports ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].NodePort is { } np and not 0 && !old.Contains(np) && (np < _options.NodePortMin || np > _options.NodePortMax))
            {
                errs.Add(FieldError.Invalid($"spec.ports[{i}].nodePort", np,
                    $"provided port is not in the valid range. The range of valid ports is {_options.NodePortMin}-{_options.NodePortMax}"));
            }
        }
        return errs;
    }

    private static List<FieldError> ValidateService(V1Service svc)
    {
        var errs = new List<FieldError>();
        var spec = svc.Spec ?? new V1ServiceSpec();
        var ports = spec.Ports ?? [];
        var headless = IsHeadless(spec);
        if (ports.Count == 0 && !headless && spec.Type != "ExternalName")
        {
            errs.Add(FieldError.Required("spec.ports"));
        }
        switch (spec.Type)
        {
            case "LoadBalancer":
                for (var i = 0; i < ports.Count; i++)
                {
                    if (ports[i].Port == KubeletPort)
                    {
                        errs.Add(FieldError.Invalid($"spec.ports[{i}]", ports[i].Port, $"may not expose port {KubeletPort} externally since it is used by kubelet"));
                    }
                }
                if (headless)
                {
                    errs.Add(FieldError.Invalid("spec.clusterIPs[0]", spec.ClusterIPs![0], "may not be set to 'None' for LoadBalancer services"));
                }
                break;
            case "NodePort":
                if (headless)
                {
                    errs.Add(FieldError.Invalid("spec.clusterIPs[0]", spec.ClusterIPs![0], "may not be set to 'None' for NodePort services"));
                }
                break;
            case "ExternalName":
                if ((spec.ClusterIPs?.Count ?? 0) > 0)
                {
                    errs.Add(FieldError.Forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
                }
                if ((spec.IpFamilies?.Count ?? 0) > 0)
                {
                    errs.Add(FieldError.Forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
                }
                if (spec.IpFamilyPolicy != null)
                {
                    errs.Add(FieldError.Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
                }
                var cname = (spec.ExternalName ?? "").TrimEnd('.');
                if (cname.Length > 0)
                {
                    errs.AddRange(FieldChecks.DNS1123Subdomain(cname, "spec.externalName"));
                }
                else
                {
                    errs.Add(FieldError.Required("spec.externalName"));
                }
                break;
        }
        var names = new HashSet<string>();
        for (var i = 0; i < ports.Count; i++)
        {
            errs.AddRange(ServicePort(ports[i], ports.Count > 1, names, $"spec.ports[{i}]"));
        }
        if (spec.Selector != null)
        {
            errs.AddRange(ObjectMetaValidation.ValidateLabels(spec.Selector, "spec.selector"));
        }
        if (string.IsNullOrEmpty(spec.SessionAffinity))
        {
            errs.Add(FieldError.Required("spec.sessionAffinity"));
        }
        else if (spec.SessionAffinity is not ("ClientIP" or "None"))
        {
            errs.Add(FieldChecks.NotSupported("spec.sessionAffinity", spec.SessionAffinity, "ClientIP", "None"));
        }
        if (spec.SessionAffinity == "ClientIP")
        {
            errs.AddRange(ClientIPConfig(spec.SessionAffinityConfig, "spec.sessionAffinityConfig"));
        }
        else if (spec.SessionAffinity == "None" && spec.SessionAffinityConfig != null)
        {
            errs.Add(FieldError.Forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }
        errs.AddRange(ClusterIPsRelatedFields(spec));
        var externalIPs = spec.ExternalIPs ?? [];
        for (var i = 0; i < externalIPs.Count; i++)
        {
            var p = $"spec.externalIPs[{i}]";
            var ipErrors = FieldChecks.Messages(p, externalIPs[i] ?? "", ValidationRules.IsValidIP(externalIPs[i] ?? "")).ToList();
            errs.AddRange(ipErrors.Count > 0 ? ipErrors : EndpointsStrategy.NonSpecialIP(externalIPs[i], p));
        }
        if (string.IsNullOrEmpty(spec.Type))
        {
            errs.Add(FieldError.Required("spec.type"));
        }
        else if (!Types.Contains(spec.Type))
        {
            errs.Add(FieldChecks.NotSupported("spec.type", spec.Type, Types));
        }
        if (spec.Type == "ClusterIP")
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i].NodePort is not (null or 0))
                {
                    errs.Add(FieldError.Forbidden($"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"));
                }
            }
        }
        var nodePorts = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].NodePort is { } np and not 0 && !nodePorts.Add((ports[i].Protocol, np)))
            {
                errs.Add(FieldError.Duplicate($"spec.ports[{i}].nodePort", np));
            }
        }
        var portKeys = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (!portKeys.Add((ports[i].Protocol, ports[i].Port)))
            {
                errs.Add(FieldChecks.Duplicate($"spec.ports[{i}]", new V1ServicePort { Protocol = ports[i].Protocol, Port = ports[i].Port }));
            }
        }
        var ranges = spec.LoadBalancerSourceRanges ?? [];
        if (ranges.Count > 0)
        {
            if (spec.Type != "LoadBalancer")
            {
                errs.Add(FieldError.Forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
            }
            for (var i = 0; i < ranges.Count; i++)
            {
                var value = (ranges[i] ?? "").Trim();
                errs.AddRange(FieldChecks.Messages($"spec.LoadBalancerSourceRanges[{i}]", value, ValidationRules.IsValidCIDR(value)));
            }
        }
        else if (svc.Metadata?.Annotations?.TryGetValue(LoadBalancerSourceRangesAnnotation, out var annotation) == true)
        {
            var p = FieldChecks.Key("metadata.annotations", LoadBalancerSourceRangesAnnotation);
            if (spec.Type != "LoadBalancer")
            {
                errs.Add(FieldError.Forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
            }
            if (annotation.Trim().Length > 0)
            {
                foreach (var cidr in annotation.Trim().Split(','))
                {
                    errs.AddRange(FieldChecks.Messages(p, cidr.Trim(), ValidationRules.IsValidCIDR(cidr.Trim())));
                }
            }
        }
        if (spec.AllocateLoadBalancerNodePorts != null && spec.Type != "LoadBalancer")
        {
            errs.Add(FieldError.Forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
        }
        if (spec.Type == "LoadBalancer" && spec.AllocateLoadBalancerNodePorts == null)
        {
            errs.Add(FieldError.Required("allocateLoadBalancerNodePorts"));
        }
        errs.AddRange(LoadBalancerClass(null, spec));
        errs.AddRange(ExternalTrafficPolicy(spec));
        if (spec.InternalTrafficPolicy == null)
        {
            if (spec.Type is "NodePort" or "LoadBalancer" or "ClusterIP")
            {
                errs.Add(FieldError.Required("spec.internalTrafficPolicy"));
            }
        }
        else if (spec.InternalTrafficPolicy is not ("Cluster" or "Local"))
        {
            errs.Add(FieldChecks.NotSupported("spec.internalTrafficPolicy", spec.InternalTrafficPolicy, "Cluster", "Local"));
        }
        if (spec.TrafficDistribution != null && spec.TrafficDistribution is not ("PreferClose" or "PreferSameZone" or "PreferSameNode"))
        {
            errs.Add(FieldChecks.NotSupported("spec.trafficDistribution", spec.TrafficDistribution, "PreferClose", "PreferSameZone", "PreferSameNode"));
        }
        return errs;
    }

    private static List<FieldError> ServicePort(V1ServicePort sp, bool requireName, HashSet<string> names, string path)
    {
        var errs = new List<FieldError>();
        if (requireName && string.IsNullOrEmpty(sp.Name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name")));
        }
        else if (!string.IsNullOrEmpty(sp.Name))
        {
            errs.AddRange(FieldChecks.DNS1123Label(sp.Name, FieldChecks.Child(path, "name")));
            if (!names.Add(sp.Name))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(path, "name"), sp.Name));
            }
        }
        errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "port"), sp.Port, ValidationRules.IsValidPortNum(sp.Port)));
        if (string.IsNullOrEmpty(sp.Protocol))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "protocol")));
        }
        else if (!Protocols.Contains(sp.Protocol))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "protocol"), sp.Protocol, Protocols));
        }
        errs.AddRange(FieldChecks.PortNumOrName(sp.TargetPort, FieldChecks.Child(path, "targetPort")));
        if (sp.AppProtocol != null)
        {
            errs.AddRange(FieldChecks.QualifiedName(sp.AppProtocol, FieldChecks.Child(path, "appProtocol")));
        }
        return errs;
    }

    private static List<FieldError> ClientIPConfig(V1SessionAffinityConfig? config, string path)
    {
        const string detail = "when session affinity type is ClientIP";
        if (config == null)
        {
            return [FieldError.Required(path, detail)];
        }
        if (config.ClientIP == null)
        {
            return [FieldError.Required(FieldChecks.Child(path, "clientIP"), detail)];
        }
        if (config.ClientIP.TimeoutSeconds is not { } timeout)
        {
            return [FieldError.Required(FieldChecks.Child(path, "clientIP.timeoutSeconds"), detail)];
        }
        return timeout <= 0 || timeout > MaxClientIPTimeoutSeconds
            ? [FieldError.Invalid(FieldChecks.Child(path, "clientIP.timeoutSeconds"), timeout, $"must be greater than 0 and less than {MaxClientIPTimeoutSeconds}")]
            : [];
    }

    private static List<FieldError> ClusterIPsRelatedFields(V1ServiceSpec spec)
    {
        var errs = new List<FieldError>();
        if (spec.Type == "ExternalName")
        {
            return errs;
        }
        var clusterIPs = spec.ClusterIPs ?? [];
        if (!string.IsNullOrEmpty(spec.ClusterIP))
        {
            if (clusterIPs.Count == 0)
            {
                errs.Add(FieldError.Required("spec.clusterIPs"));
            }
            else if (clusterIPs[0] != spec.ClusterIP)
            {
                errs.Add(FieldChecks.Invalid("spec.clusterIPs", clusterIPs, "first value must match `clusterIP`"));
            }
        }
        else if (clusterIPs.Count != 0)
        {
            errs.Add(FieldChecks.Invalid("spec.clusterIPs", clusterIPs, "must be empty when `clusterIP` is not specified"));
        }
        var families = spec.IpFamilies ?? [];
        var seen = new HashSet<string>();
        for (var i = 0; i < families.Count; i++)
        {
            if (families[i] is not ("IPv4" or "IPv6"))
            {
                errs.Add(FieldChecks.NotSupported($"spec.ipFamilies[{i}]", families[i] ?? "", "IPv4", "IPv6"));
            }
            if (!seen.Add(families[i] ?? ""))
            {
                errs.Add(FieldError.Duplicate($"spec.ipFamilies[{i}]", families[i] ?? ""));
            }
        }
        if (spec.IpFamilyPolicy != null && !IPFamilyPolicies.Contains(spec.IpFamilyPolicy))
        {
            errs.Add(FieldChecks.NotSupported("spec.ipFamilyPolicy", spec.IpFamilyPolicy, IPFamilyPolicies));
        }
        var invalid = false;
        for (var i = 0; i < clusterIPs.Count; i++)
        {
            if (i == 0 && clusterIPs[i] == "None")
            {
                if (clusterIPs.Count > 1)
                {
                    invalid = true;
                    errs.Add(FieldChecks.Invalid("spec.clusterIPs", clusterIPs, "'None' must be the first and only value"));
                }
                continue;
            }
            var msgs = ValidationRules.IsValidIP(clusterIPs[i] ?? "");
            invalid |= msgs.Count > 0;
            errs.AddRange(FieldChecks.Messages($"spec.clusterIPs[{i}]", clusterIPs[i] ?? "", msgs));
        }
        if (clusterIPs.Count > 2)
        {
            errs.Add(FieldChecks.Invalid("spec.clusterIPs", clusterIPs, "may only hold up to 2 values"));
        }
        if (invalid)
        {
            return errs;
        }
        if (clusterIPs.Count > 1 && ValidationRules.IsIPv6(clusterIPs[0]) == ValidationRules.IsIPv6(clusterIPs[1]))
        {
            errs.Add(FieldChecks.Invalid("spec.clusterIPs", clusterIPs, "may specify no more than one IP for each IP family"));
        }
        if (!IsHeadless(spec) && clusterIPs.Count > 0 && families.Count > 0)
        {
            for (var i = 0; i < clusterIPs.Count && i < families.Count; i++)
            {
                var v6 = ValidationRules.IsIPv6(clusterIPs[i]);
                if (families[i] == "IPv4" && v6)
                {
                    errs.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", clusterIPs[i], $"expected an IPv4 value as indicated by `ipFamilies[{i}]`"));
                }
                if (families[i] == "IPv6" && !v6)
                {
                    errs.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", clusterIPs[i], $"expected an IPv6 value as indicated by `ipFamilies[{i}]`"));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> ExternalTrafficPolicy(V1ServiceSpec spec)
    {
        var errs = new List<FieldError>();
        if (!ExternallyAccessible(spec))
        {
            if (!string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
            {
                errs.Add(FieldError.Invalid("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, "may only be set for externally-accessible services"));
            }
        }
        else if (string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            errs.Add(FieldError.Required("spec.externalTrafficPolicy"));
        }
        else if (spec.ExternalTrafficPolicy is not ("Cluster" or "Local"))
        {
            errs.Add(FieldChecks.NotSupported("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, "Cluster", "Local"));
        }
        var hc = spec.HealthCheckNodePort ?? 0;
        if (!NeedsHealthCheckNodePort(spec))
        {
            if (hc != 0)
            {
                errs.Add(FieldError.Invalid("spec.healthCheckNodePort", hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
            }
        }
        else if (hc == 0)
        {
            // Allocated by the API server when the client leaves it out; only a bad explicit value is an error here.
        }
        else
        {
            errs.AddRange(FieldChecks.Messages("spec.healthCheckNodePort", hc, ValidationRules.IsValidPortNum(hc)));
        }
        return errs;
    }

    private static List<FieldError> LoadBalancerClass(V1ServiceSpec? old, V1ServiceSpec spec)
    {
        var errs = new List<FieldError>();
        if (old is { Type: "LoadBalancer" } && spec.Type == "LoadBalancer" && old.LoadBalancerClass != spec.LoadBalancerClass)
        {
            errs.Add(FieldError.Invalid("spec.loadBalancerClass", spec.LoadBalancerClass, "may not change once set"));
        }
        if (old != null)
        {
            return errs;
        }
        if (spec.Type == "LoadBalancer")
        {
            if (spec.LoadBalancerClass != null)
            {
                errs.AddRange(FieldChecks.QualifiedName(spec.LoadBalancerClass, "spec.loadBalancerClass"));
            }
        }
        else if (spec.LoadBalancerClass != null)
        {
            errs.Add(FieldError.Forbidden("spec.loadBalancerClass", "may only be used when service type is 'LoadBalancer'"));
        }
        return errs;
    }

    private static List<FieldError> UpgradeDowngradeClusterIPs(V1ServiceSpec old, V1ServiceSpec spec)
    {
        var errs = new List<FieldError>();
        if (spec.Type == "ExternalName" || old.Type == "ExternalName" || (IsHeadless(old) && IsHeadless(spec)))
        {
            return errs;
        }
        var oldIPs = old.ClusterIPs ?? [];
        var newIPs = spec.ClusterIPs ?? [];
        if (oldIPs.Count == newIPs.Count)
        {
            for (var i = 0; i < oldIPs.Count; i++)
            {
                if (oldIPs[i] != newIPs[i])
                {
                    errs.Add(FieldChecks.Invalid($"spec.clusterIPs[{i}]", newIPs, "may not change once set"));
                }
            }
        }
        else if (oldIPs.Count > newIPs.Count)
        {
            if (newIPs.Count == 0)
            {
                errs.Add(FieldChecks.Invalid("spec.clusterIPs[0]", spec.ClusterIPs, "primary clusterIP can not be unset"));
            }
            if (oldIPs.Count > 0 && newIPs.Count > 0 && newIPs[0] != oldIPs[0])
            {
                errs.Add(FieldChecks.Invalid("spec.clusterIPs[0]", newIPs, "may not change once set"));
            }
            if (newIPs.Count == 1 && spec.IpFamilyPolicy != "SingleStack")
            {
                errs.Add(FieldChecks.Invalid("spec.clusterIPs[0]", newIPs, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
            }
        }
        else if (oldIPs.Count > 0 && newIPs[0] != oldIPs[0])
        {
            errs.Add(FieldChecks.Invalid("spec.clusterIPs[0]", newIPs, "may not change once set"));
        }
        return errs;
    }

    private static List<FieldError> UpgradeDowngradeIPFamilies(V1ServiceSpec old, V1ServiceSpec spec)
    {
        var errs = new List<FieldError>();
        if (spec.Type == "ExternalName" || old.Type == "ExternalName" || IsHeadless(old) != IsHeadless(spec) || IsHeadless(spec))
        {
            return errs;
        }
        var oldFamilies = old.IpFamilies ?? [];
        var families = spec.IpFamilies ?? [];
        if (oldFamilies.Count == families.Count)
        {
            if (!oldFamilies.SequenceEqual(families))
            {
                errs.Add(FieldChecks.Invalid("spec.ipFamilies[0]", families, "may not change once set"));
            }
        }
        else if (oldFamilies.Count > families.Count)
        {
            if (families.Count == 0)
            {
                errs.Add(FieldChecks.Invalid("spec.ipFamilies[0]", spec.IpFamilies, "primary ipFamily can not be unset"));
            }
            if (families.Count > 0 && families[0] != oldFamilies[0])
            {
                errs.Add(FieldChecks.Invalid("spec.ipFamilies[0]", spec.ClusterIPs, "may not change once set"));
            }
            if (families.Count == 1 && spec.IpFamilyPolicy != "SingleStack")
            {
                errs.Add(FieldChecks.Invalid("spec.ipFamilies[0]", families, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary ipFamily"));
            }
        }
        else if (oldFamilies.Count > 0 && families[0] != oldFamilies[0])
        {
            errs.Add(FieldChecks.Invalid("spec.ipFamilies[0]", spec.ClusterIPs, "may not change once set"));
        }
        return errs;
    }

    /// <summary>Headless: clusterIPs is exactly ["None"] (or only clusterIP is "None").</summary>
    public static bool IsHeadless(V1ServiceSpec spec) =>
        spec.ClusterIPs is { Count: 1 } ips ? ips[0] == "None" : (spec.ClusterIPs?.Count ?? 0) == 0 && spec.ClusterIP == "None";

    public static bool ExternallyAccessible(V1ServiceSpec spec) =>
        spec.Type is "LoadBalancer" or "NodePort" || (spec.Type == "ClusterIP" && (spec.ExternalIPs?.Count ?? 0) > 0);

    private static bool NeedsClusterIP(V1ServiceSpec spec) => spec.Type != "ExternalName";

    private static bool NeedsNodePort(V1ServiceSpec spec) => spec.Type is "NodePort" or "LoadBalancer";

    private static bool NeedsHealthCheckNodePort(V1ServiceSpec spec) => spec.Type == "LoadBalancer" && spec.ExternalTrafficPolicy == "Local";

    private static IEnumerable<int> NodePorts(V1ServiceSpec spec) =>
        (spec.Ports ?? []).Select(p => p.NodePort ?? 0).Where(n => n != 0);
}
