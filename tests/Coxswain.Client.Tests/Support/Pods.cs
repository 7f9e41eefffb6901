using k8s;
using k8s.Models;

namespace Coxswain.Client.Tests.Support;

/// <summary>Minimal valid objects for the tests.</summary>
public static class Pods
{
    public static V1Pod New(string ns, string name, string? nodeName = null, IDictionary<string, string>? labels = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            Containers = [new V1Container { Name = "c", Image = "busybox" }],
        },
    };

    public static async Task CreateNamespaceAsync(IKubernetes client, string ns)
        => await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });

    public static string NewNamespace(string prefix = "t") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
