using System.Globalization;
using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>
/// The variables a pod gets for Services (upstream's envvars.FromServices): <c>NAME_SERVICE_HOST</c>,
/// <c>NAME_SERVICE_PORT</c>, one <c>NAME_SERVICE_PORT_PORTNAME</c> per named port, and Docker link variables.
/// Services without a cluster IP (headless, ExternalName) give none.
/// </summary>
internal static class ServiceEnvVars
{
    public static IEnumerable<KeyValuePair<string, string>> From(V1Service service)
    {
        var clusterIp = service.Spec?.ClusterIP;
        var ports = service.Spec?.Ports ?? [];
        if (string.IsNullOrEmpty(clusterIp) || clusterIp == "None" || ports.Count == 0)
        {
            yield break;
        }
        var prefix = VariableName(service.Metadata.Name);
        yield return new(prefix + "_SERVICE_HOST", clusterIp);
        yield return new(prefix + "_SERVICE_PORT", Text(ports[0].Port));
        foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
        {
            yield return new(prefix + "_SERVICE_PORT_" + VariableName(port.Name), Text(port.Port));
        }
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var protocol = string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol;
            var lower = protocol.ToLowerInvariant();
            var address = $"{lower}://{HostPort(clusterIp, port.Port)}";
            if (i == 0)
            {
                yield return new(prefix + "_PORT", address);
            }
            var portPrefix = $"{prefix}_PORT_{Text(port.Port)}_{protocol.ToUpperInvariant()}";
            yield return new(portPrefix, address);
            yield return new(portPrefix + "_PROTO", lower);
            yield return new(portPrefix + "_PORT", Text(port.Port));
            yield return new(portPrefix + "_ADDR", clusterIp);
        }
    }

    /// <summary>Upper case with '-' as '_': "my-svc" is MY_SVC.</summary>
    public static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static string HostPort(string host, int port) => (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + Text(port);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
