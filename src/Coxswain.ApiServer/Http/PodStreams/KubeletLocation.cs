using System.Globalization;
using Coxswain.Api.Errors;
using Coxswain.ApiServer.Registry;
using k8s.Models;

namespace Coxswain.ApiServer.Http.PodStreams;

/// <summary>
/// Where a pod's streaming subresource is served: the pod's container checked as upstream's
/// pod strategy does (validateContainer, streamLocation), its node, and the node's kubelet address.
/// </summary>
internal sealed record KubeletLocation(V1Pod Pod, string Container, string Host, int Port)
{
    private const int DefaultKubeletPort = 10250;

    public string Authority => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static async Task<V1Pod> GetPodAsync(ObjectRegistry registry, string ns, string name, CancellationToken ct)
    {
        var pods = registry.Catalog.Find("", "v1", "pods")!;
        return (V1Pod)await registry.GetAsync(pods, ns, name, ct);
    }

    /// <summary>
    /// The named container, or the only one; a bad or missing name is a 400 with upstream's message.
    /// Init and ephemeral containers are valid names too.
    /// </summary>
    public static string ValidateContainer(V1Pod pod, string? container)
    {
        var name = pod.Metadata.Name;
        var containers = pod.Spec.Containers ?? [];
        if (string.IsNullOrEmpty(container))
        {
            switch (containers.Count)
            {
                case 1:
                    return containers[0].Name;
                case 0:
                    throw ApiException.BadRequest($"a container name must be specified for pod {name}");
                default:
                    var message = $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers.Select(c => c.Name))}]";
                    if (pod.Spec.InitContainers is { Count: > 0 } init)
                    {
                        message += $" or one of the init containers: [{string.Join(' ', init.Select(c => c.Name))}]";
                    }
                    throw ApiException.BadRequest(message);
            }
        }
        var known = containers.Select(c => c.Name)
            .Concat((pod.Spec.InitContainers ?? []).Select(c => c.Name))
            .Concat((pod.Spec.EphemeralContainers ?? []).Select(c => c.Name));
        return known.Contains(container, StringComparer.Ordinal)
            ? container
            : throw ApiException.BadRequest($"container {container} is not valid for pod {name}");
    }

    /// <summary>The kubelet of the pod's node; null when the pod has no node yet.</summary>
    public static async Task<(string Host, int Port)?> FindKubeletAsync(ObjectRegistry registry, V1Pod pod, CancellationToken ct)
    {
        var nodeName = pod.Spec.NodeName;
        if (string.IsNullOrEmpty(nodeName))
        {
            return null;
        }
        var nodes = registry.Catalog.Find("", "v1", "nodes")!;
        var node = (V1Node)await registry.GetAsync(nodes, null, nodeName, ct);
        var addresses = node.Status?.Addresses ?? [];
        var host = addresses.FirstOrDefault(a => a.Type == "InternalIP")?.Address
            ?? addresses.FirstOrDefault(a => a.Type == "Hostname")?.Address
            ?? nodeName;
        var port = node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port ?? 0;
        return (host, port > 0 ? port : DefaultKubeletPort);
    }

    /// <summary>For exec, attach and port-forward: no node yet is a 400, as upstream's streamLocation answers.</summary>
    public static async Task<(string Host, int Port)> RequireKubeletAsync(ObjectRegistry registry, V1Pod pod, CancellationToken ct) =>
        await FindKubeletAsync(registry, pod, ct)
            ?? throw ApiException.BadRequest($"pod {pod.Metadata.Name} does not have a host assigned");

    public static string Escape(string segment) => Uri.EscapeDataString(segment);

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
