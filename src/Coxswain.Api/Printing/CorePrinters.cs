using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of core/v1 kinds (Pod, Event and the volume kinds have their own files).</summary>
internal static class CorePrinters
{
    public static TablePrinter Namespace() => new TablePrinter(
            Columns.Name,
            Columns.Text("Status", ColumnDescriptions.NamespaceStatus),
            Columns.Age)
        .On<V1Namespace>((ns, now) => [Print.NameOf(ns.Metadata), ns.Status?.Phase ?? "", Print.Age(ns.Metadata, now)]);

    public static TablePrinter ConfigMap() => new TablePrinter(
            Columns.Name,
            Columns.Text("Data", ColumnDescriptions.ConfigMapData),
            Columns.Age)
        .On<V1ConfigMap>((cm, now) =>
            [Print.NameOf(cm.Metadata), (long)((cm.Data?.Count ?? 0) + (cm.BinaryData?.Count ?? 0)), Print.Age(cm.Metadata, now)]);

    public static TablePrinter Secret() => new TablePrinter(
            Columns.Name,
            Columns.Text("Type", ColumnDescriptions.SecretType),
            Columns.Text("Data", ColumnDescriptions.SecretData),
            Columns.Age)
        .On<V1Secret>((s, now) => [Print.NameOf(s.Metadata), s.Type ?? "", (long)(s.Data?.Count ?? 0), Print.Age(s.Metadata, now)]);

    public static TablePrinter ServiceAccount() => new TablePrinter(
            Columns.Name,
            Columns.Text("Secrets", ColumnDescriptions.ServiceAccountSecrets),
            Columns.Age)
        .On<V1ServiceAccount>((sa, now) => [Print.NameOf(sa.Metadata), (long)(sa.Secrets?.Count ?? 0), Print.Age(sa.Metadata, now)]);

    public static TablePrinter Service() => new TablePrinter(
            Columns.Name,
            Columns.Text("Type", ColumnDescriptions.ServiceType),
            Columns.Text("Cluster-IP", ColumnDescriptions.ServiceClusterIP),
            Columns.Text("External-IP", ColumnDescriptions.ServiceExternalIPs),
            Columns.Text("Port(s)", ColumnDescriptions.ServicePorts),
            Columns.Age,
            Columns.Text("Selector", ColumnDescriptions.ServiceSelector, 1))
        .On<V1Service>((svc, now) =>
        {
            var spec = svc.Spec;
            // A v1 object may carry only clusterIP; upstream's conversion fills clusterIPs from it.
            var clusterIp = spec?.ClusterIPs is { Count: > 0 } ips ? ips[0] : spec?.ClusterIP;
            var ports = Ports(spec?.Ports);
            return
            [
                Print.NameOf(svc.Metadata), spec?.Type ?? "", Print.OrNone(clusterIp), ExternalIp(svc),
                ports.Length == 0 ? Print.None : ports, Print.Age(svc.Metadata, now), Print.Labels(spec?.Selector),
            ];
        });

    private static string Ports(IList<V1ServicePort>? ports)
    {
        if (ports == null)
        {
            return "";
        }
        return string.Join(",", ports.Select(p => p.NodePort is > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{p.Port}:{p.NodePort}/{p.Protocol}")
            : string.Create(CultureInfo.InvariantCulture, $"{p.Port}/{p.Protocol}")));
    }

    /// <summary>The load balancer ingress points: ip, else hostname; de-duplicated and sorted.</summary>
    internal static string LoadBalancerIngress(IEnumerable<(string? Ip, string? Hostname)>? ingress)
    {
        if (ingress == null)
        {
            return "";
        }
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (ip, hostname) in ingress)
        {
            if (!string.IsNullOrEmpty(ip))
            {
                set.Add(ip);
            }
            else if (!string.IsNullOrEmpty(hostname))
            {
                set.Add(hostname);
            }
        }
        return string.Join(",", set);
    }

    private static string ExternalIp(V1Service svc)
    {
        var externalIps = svc.Spec?.ExternalIPs ?? [];
        switch (svc.Spec?.Type)
        {
            case "ClusterIP" or "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : Print.None;
            case "LoadBalancer":
                var lb = LoadBalancerIngress(svc.Status?.LoadBalancer?.Ingress?.Select(i => ((string?)i.Ip, (string?)i.Hostname)));
                if (externalIps.Count > 0)
                {
                    var all = new List<string>();
                    if (lb.Length > 0)
                    {
                        all.AddRange(lb.Split(','));
                    }
                    all.AddRange(externalIps);
                    return string.Join(",", all);
                }
                return lb.Length > 0 ? lb : "<pending>";
            case "ExternalName":
                return svc.Spec.ExternalName ?? "";
            default:
                return Print.Unknown;
        }
    }

    public static TablePrinter Endpoints() => new TablePrinter(
            Columns.Name,
            Columns.Text("Endpoints", ColumnDescriptions.EndpointsSubsets),
            Columns.Age)
        .On<V1Endpoints>((ep, now) => [Print.NameOf(ep.Metadata), FormatEndpoints(ep), Print.Age(ep.Metadata, now)]);

    /// <summary>Upstream's formatEndpoints: ready addresses (with ports), at most 3, then <c> + N more...</c>.</summary>
    private static string FormatEndpoints(V1Endpoints endpoints)
    {
        var subsets = endpoints.Subsets;
        if (subsets == null || subsets.Count == 0)
        {
            return Print.None;
        }
        const int max = 3;
        var list = new List<string>();
        var more = false;
        var count = 0;
        foreach (var ss in subsets)
        {
            var addresses = ss.Addresses ?? [];
            if (ss.Ports == null || ss.Ports.Count == 0)
            {
                // Headless services may have no ports.
                count += addresses.Count;
                foreach (var addr in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }
                    list.Add(addr.Ip ?? "");
                }
                continue;
            }
            foreach (var port in ss.Ports)
            {
                count += addresses.Count;
                foreach (var addr in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }
                    list.Add(JoinHostPort(addr.Ip ?? "", port.Port));
                }
            }
        }
        var ret = string.Join(",", list);
        return more ? $"{ret} + {count - max} more..." : ret;
    }

    internal static string JoinHostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    public static TablePrinter Node() => new TablePrinter(
            Columns.Name,
            Columns.Text("Status", ColumnDescriptions.NodeStatus),
            Columns.Text("Roles", ColumnDescriptions.NodeRoles),
            Columns.Age,
            Columns.Text("Version", ColumnDescriptions.NodeKubeletVersion),
            Columns.Text("Internal-IP", ColumnDescriptions.NodeAddresses, 1),
            Columns.Text("External-IP", ColumnDescriptions.NodeAddresses, 1),
            Columns.Text("OS-Image", ColumnDescriptions.NodeOsImage, 1),
            Columns.Text("Kernel-Version", ColumnDescriptions.NodeKernelVersion, 1),
            Columns.Text("Container-Runtime", ColumnDescriptions.NodeContainerRuntime, 1))
        .On<V1Node>((node, now) =>
        {
            var info = node.Status?.NodeInfo;
            var roles = string.Join(",", NodeRoles(node.Metadata?.Labels));
            return
            [
                Print.NameOf(node.Metadata), NodeStatus(node), roles.Length == 0 ? Print.None : roles,
                Print.Age(node.Metadata, now), info?.KubeletVersion ?? "",
                NodeAddress(node, "InternalIP"), NodeAddress(node, "ExternalIP"),
                OrUnknown(info?.OsImage), OrUnknown(info?.KernelVersion), OrUnknown(info?.ContainerRuntimeVersion),
            ];
        });

    private static string OrUnknown(string? s) => string.IsNullOrEmpty(s) ? Print.Unknown : s;

    private static string NodeStatus(V1Node node)
    {
        // Only the Ready condition is shown; the last one of that type wins, as in upstream's map.
        V1NodeCondition? readyCondition = null;
        foreach (var c in node.Status?.Conditions ?? [])
        {
            if (c.Type == "Ready")
            {
                readyCondition = c;
            }
        }
        var status = new List<string>(2)
        {
            readyCondition == null ? "Unknown" : readyCondition.Status == "True" ? "Ready" : "NotReady",
        };
        if (node.Spec?.Unschedulable == true)
        {
            status.Add("SchedulingDisabled");
        }
        return string.Join(",", status);
    }

    private static IEnumerable<string> NodeRoles(IDictionary<string, string>? labels)
    {
        const string rolePrefix = "node-role.kubernetes.io/";
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(rolePrefix, StringComparison.Ordinal))
            {
                var role = key[rolePrefix.Length..];
                if (role.Length > 0)
                {
                    roles.Add(role);
                }
            }
            else if (key == "kubernetes.io/role" && !string.IsNullOrEmpty(value))
            {
                roles.Add(value);
            }
        }
        return roles;
    }

    private static string NodeAddress(V1Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? Print.None;

    public static TablePrinter ResourceQuota() => new TablePrinter(
            Columns.Name,
            Columns.Text("Request", ColumnDescriptions.QuotaRequest),
            Columns.Text("Limit", ColumnDescriptions.QuotaLimit),
            Columns.Age)
        .On<V1ResourceQuota>((quota, now) =>
        {
            var hard = quota.Status?.Hard ?? new Dictionary<string, ResourceQuantity>();
            var used = quota.Status?.Used;
            var requests = new List<string>();
            var limits = new List<string>();
            foreach (var resource in hard.Keys.Order(StringComparer.Ordinal))
            {
                var text = $"{resource}: {Print.Quantity(used, resource)}/{Print.Quantity(hard, resource)}";
                var dot = resource.IndexOf('.', StringComparison.Ordinal);
                (dot > 0 && resource[..dot] == "limits" ? limits : requests).Add(text);
            }
            return [Print.NameOf(quota.Metadata), string.Join(", ", requests), string.Join(", ", limits), Print.Age(quota.Metadata, now)];
        });
}
