using System.Net;
using System.Net.Sockets;
using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Endpoints (core/v1).</summary>
public sealed class EndpointsStrategy : KindStrategy<V1Endpoints>
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public override void Default(V1Endpoints obj)
    {
        foreach (var subset in obj.Subsets ?? [])
        {
            foreach (var port in subset.Ports ?? [])
            {
                if (string.IsNullOrEmpty(port.Protocol))
                {
                    port.Protocol = "TCP";
                }
            }
        }
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Endpoints obj)
    {
        var errs = new List<FieldError>();
        var subsets = obj.Subsets ?? [];
        for (var i = 0; i < subsets.Count; i++)
        {
            var ss = subsets[i];
            var p = $"subsets[{i}]";
            if ((ss.Addresses?.Count ?? 0) == 0 && (ss.NotReadyAddresses?.Count ?? 0) == 0)
            {
                errs.Add(FieldError.Required(p, "must specify `addresses` or `notReadyAddresses`"));
            }
            for (var a = 0; a < (ss.Addresses?.Count ?? 0); a++)
            {
                errs.AddRange(Address(ss.Addresses![a], $"{p}.addresses[{a}]"));
            }
            for (var a = 0; a < (ss.NotReadyAddresses?.Count ?? 0); a++)
            {
                errs.AddRange(Address(ss.NotReadyAddresses![a], $"{p}.notReadyAddresses[{a}]"));
            }
            var ports = ss.Ports ?? [];
            for (var j = 0; j < ports.Count; j++)
            {
                errs.AddRange(Port(ports[j], ports.Count > 1, $"{p}.ports[{j}]"));
            }
        }
        return errs;
    }

    private static List<FieldError> Address(V1EndpointAddress address, string path)
    {
        var ipPath = FieldChecks.Child(path, "ip");
        var errs = FieldChecks.Messages(ipPath, address.Ip ?? "", ValidationRules.IsValidIP(address.Ip ?? "")).ToList();
        if (!string.IsNullOrEmpty(address.Hostname))
        {
            errs.AddRange(FieldChecks.DNS1123Label(address.Hostname, FieldChecks.Child(path, "hostname")));
        }
        if (address.NodeName != null)
        {
            errs.AddRange(FieldChecks.DNS1123Subdomain(address.NodeName, FieldChecks.Child(path, "nodeName")));
        }
        errs.AddRange(NonSpecialIP(address.Ip, ipPath));
        return errs;
    }

    private static List<FieldError> Port(Corev1EndpointPort port, bool requireName, string path)
    {
        var errs = new List<FieldError>();
        if (requireName && string.IsNullOrEmpty(port.Name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name")));
        }
        else if (!string.IsNullOrEmpty(port.Name))
        {
            errs.AddRange(FieldChecks.DNS1123Label(port.Name, FieldChecks.Child(path, "name")));
        }
        errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "port"), port.Port, ValidationRules.IsValidPortNum(port.Port)));
        if (string.IsNullOrEmpty(port.Protocol))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "protocol")));
        }
        else if (!Protocols.Contains(port.Protocol))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "protocol"), port.Protocol, Protocols));
        }
        if (port.AppProtocol != null)
        {
            errs.AddRange(FieldChecks.QualifiedName(port.AppProtocol, FieldChecks.Child(path, "appProtocol")));
        }
        return errs;
    }

    /// <summary>
    /// Endpoint, EndpointSlice and external IPs may not be unspecified, loopback or link-local
    /// (upstream's ValidateNonSpecialIP).
    /// </summary>
    public static List<FieldError> NonSpecialIP(string? value, string path)
    {
        var ip = ValidationRules.ParseIP(value ?? "");
        if (ip == null)
        {
            return [FieldError.Invalid(path, value ?? "", "must be a valid IP address")];
        }
        var errs = new List<FieldError>();
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            errs.Add(FieldError.Invalid(path, value, $"may not be unspecified ({value})"));
        }
        if (IPAddress.IsLoopback(ip))
        {
            errs.Add(FieldError.Invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
        }
        var b = ip.GetAddressBytes();
        var v4 = ip.AddressFamily == AddressFamily.InterNetwork;
        if ((v4 && b[0] == 169 && b[1] == 254) || (!v4 && ip.IsIPv6LinkLocal))
        {
            errs.Add(FieldError.Invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
        }
        if ((v4 && b[0] == 224 && b[1] == 0 && b[2] == 0) || (!v4 && b[0] == 0xff && (b[1] & 0x0f) == 0x02))
        {
            errs.Add(FieldError.Invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
        }
        return errs;
    }
}

/// <summary>EndpointSlices (discovery.k8s.io/v1).</summary>
public sealed class EndpointSliceStrategy : KindStrategy<V1EndpointSlice>
{
    public const int MaxEndpoints = 1000;
    public const int MaxAddresses = 100;
    public const int MaxPorts = 20000;
    public const int MaxTopologyLabels = 16;

    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public override void Default(V1EndpointSlice obj)
    {
        foreach (var port in obj.Ports ?? [])
        {
            port.Name ??= "";
            port.Protocol ??= "TCP";
        }
    }

    public override IEnumerable<FieldError> ValidateCreate(V1EndpointSlice obj)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(obj.AddressType))
        {
            errs.Add(FieldError.Required("addressType"));
        }
        else if (!AddressTypes.Contains(obj.AddressType))
        {
            errs.Add(FieldChecks.NotSupported("addressType", obj.AddressType, AddressTypes));
        }
        errs.AddRange(Endpoints(obj.Endpoints, obj.AddressType, "endpoints"));
        errs.AddRange(Ports(obj.Ports, "ports"));
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1EndpointSlice obj, V1EndpointSlice old)
    {
        var errs = ValidateCreate(obj).ToList();
        errs.AddRange(FieldChecks.Immutable(obj.AddressType, old.AddressType, "addressType"));
        return errs;
    }

    private static List<FieldError> Endpoints(IList<V1Endpoint>? endpoints, string? addressType, string path)
    {
        var errs = new List<FieldError>();
        endpoints ??= [];
        if (endpoints.Count > MaxEndpoints)
        {
            errs.Add(FieldChecks.TooMany(path, endpoints.Count, MaxEndpoints));
            return errs;
        }
        for (var i = 0; i < endpoints.Count; i++)
        {
            var e = endpoints[i];
            var p = FieldChecks.Index(path, i);
            var ap = FieldChecks.Child(p, "addresses");
            var addresses = e.Addresses ?? [];
            if (addresses.Count == 0)
            {
                errs.Add(FieldError.Required(ap, "must contain at least 1 address"));
            }
            else if (addresses.Count > MaxAddresses)
            {
                errs.Add(FieldChecks.TooMany(ap, addresses.Count, MaxAddresses));
            }
            for (var j = 0; j < addresses.Count; j++)
            {
                var a = addresses[j] ?? "";
                var aip = FieldChecks.Index(ap, j);
                switch (addressType)
                {
                    case "IPv4" or "IPv6":
                        var parsed = ValidationRules.ParseIP(a);
                        var family = parsed?.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                        if (parsed == null || family != addressType)
                        {
                            errs.Add(FieldError.Invalid(aip, a, addressType == "IPv4"
                                ? "must be a valid IPv4 address"
                                : "must be a valid IPv6 address"));
                        }
                        else
                        {
                            errs.AddRange(EndpointsStrategy.NonSpecialIP(a, aip));
                        }
                        break;
                    case "FQDN":
                        errs.AddRange(FullyQualifiedDomainName(a, aip));
                        break;
                }
            }
            if (e.NodeName != null)
            {
                errs.AddRange(FieldChecks.DNS1123Subdomain(e.NodeName, FieldChecks.Child(p, "nodeName")));
            }
            var topologyPath = FieldChecks.Child(p, "deprecatedTopology");
            if ((e.DeprecatedTopology?.Count ?? 0) > MaxTopologyLabels)
            {
                errs.Add(FieldChecks.TooMany(topologyPath, e.DeprecatedTopology!.Count, MaxTopologyLabels));
            }
            errs.AddRange(ObjectMetaValidation.ValidateLabels(e.DeprecatedTopology, topologyPath));
            if (e.Hostname != null)
            {
                errs.AddRange(FieldChecks.DNS1123Label(e.Hostname, FieldChecks.Child(p, "hostname")));
            }
        }
        return errs;
    }

    private static List<FieldError> FullyQualifiedDomainName(string name, string path)
    {
        var s = name.TrimEnd('.');
        var errs = FieldChecks.DNS1123Subdomain(s, path).ToList();
        if (errs.Count == 0 && s.Split('.').Length < 2)
        {
            errs.Add(FieldError.Invalid(path, name, "should be a domain with at least two segments separated by dots"));
        }
        return errs;
    }

    private static List<FieldError> Ports(IList<Discoveryv1EndpointPort>? ports, string path)
    {
        var errs = new List<FieldError>();
        ports ??= [];
        if (ports.Count > MaxPorts)
        {
            errs.Add(FieldChecks.TooMany(path, ports.Count, MaxPorts));
            return errs;
        }
        var names = new HashSet<string>();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var p = FieldChecks.Index(path, i);
            var name = port.Name ?? "";
            if (name.Length > 0)
            {
                errs.AddRange(FieldChecks.DNS1123Label(name, FieldChecks.Child(p, "name")));
            }
            if (!names.Add(name))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "name"), name));
            }
            if (port.Protocol == null)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "protocol")));
            }
            else if (!Protocols.Contains(port.Protocol))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, "protocol"), port.Protocol, Protocols));
            }
            if (port.AppProtocol != null)
            {
                errs.AddRange(FieldChecks.QualifiedName(port.AppProtocol, FieldChecks.Child(p, "appProtocol")));
            }
        }
        return errs;
    }
}
