using System.Text;
using k8s.Models;

namespace Coxswain.Kubelet.Volumes;

/// <summary>
/// The kubelet-managed /etc/hosts of a pod (upstream's ensureHostsFile): localhost entries, the pod's IPs with its
/// hostname (and FQDN when it has a subdomain), and spec.hostAliases; a hostNetwork pod gets the node's hosts file
/// instead. Written to <c>&lt;podDir&gt;/etc-hosts</c> (0644) and bind-mounted into every container.
/// </summary>
internal static class EtcHosts
{
    public const string ContainerPath = "/etc/hosts";
    private const int MaxHostnameLength = 63;

    public static string Write(string podDir, V1Pod pod, IReadOnlyList<string> podIPs, string clusterDomain, string nodeHostsFile = "/etc/hosts")
    {
        var content = new StringBuilder();
        if (pod.Spec.HostNetwork == true)
        {
            content.Append("# Kubernetes-managed hosts file (host network).\n");
            content.Append(File.Exists(nodeHostsFile) ? File.ReadAllText(nodeHostsFile) : "");
        }
        else
        {
            content.Append("# Kubernetes-managed hosts file.\n")
                .Append("127.0.0.1\tlocalhost\n")
                .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .Append("fe00::0\tip6-localnet\n")
                .Append("fe00::0\tip6-mcastprefix\n")
                .Append("fe00::1\tip6-allnodes\n")
                .Append("fe00::2\tip6-allrouters\n");
            var (hostname, domain) = HostnameAndDomain(pod, clusterDomain);
            foreach (var ip in podIPs)
            {
                content.Append(domain.Length > 0 ? $"{ip}\t{hostname}.{domain}\t{hostname}\n" : $"{ip}\t{hostname}\n");
            }
        }
        if (pod.Spec.HostAliases is { Count: > 0 } aliases)
        {
            content.Append("\n# Entries added by HostAliases.\n");
            foreach (var alias in aliases)
            {
                content.Append(alias.Ip).Append('\t').Append(string.Join('\t', alias.Hostnames ?? [])).Append('\n');
            }
        }
        Directory.CreateDirectory(podDir);
        var path = Path.Combine(podDir, "etc-hosts");
        File.WriteAllText(path, content.ToString());
        UnixFiles.SetMode(path, 0x1a4); // 0644
        return path;
    }

    /// <summary>spec.hostname or the pod name (cut to 63 characters), and <c>subdomain.namespace.svc.clusterDomain</c> when spec.subdomain is set.</summary>
    public static (string Hostname, string Domain) HostnameAndDomain(V1Pod pod, string clusterDomain)
    {
        var hostname = string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        if (hostname.Length > MaxHostnameLength)
        {
            hostname = hostname[..MaxHostnameLength].TrimEnd('-', '.');
        }
        var domain = string.IsNullOrEmpty(pod.Spec.Subdomain) ? "" : $"{pod.Spec.Subdomain}.{pod.Metadata.NamespaceProperty ?? "default"}.svc.{clusterDomain}";
        return (hostname, domain);
    }
}
