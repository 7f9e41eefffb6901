using k8s;

namespace Coxswain.Client;

/// <summary>
/// Builds the official <see cref="Kubernetes"/> client for a component. Every Coxswain component other than the
/// API server is an API client, so this is the one way they reach the cluster: through the kubeconfig the server
/// writes at <c>&lt;data-dir&gt;/kubeconfig.yaml</c> (cluster CA + bearer token).
/// </summary>
public static class ClientFactory
{
    /// <summary>The kubeconfig path `cox server` writes inside its data directory.</summary>
    public static string KubeconfigPath(string dataDir) => Path.Combine(dataDir, "kubeconfig.yaml");

    /// <summary>
    /// A client from a kubeconfig file. Watches are long-lived streams, so the per-request HTTP timeout is
    /// disabled: a watch is ended by its own <c>timeoutSeconds</c> or by cancellation, never by HttpClient.
    /// </summary>
    public static Kubernetes FromKubeconfig(string path, string? context = null, string? program = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: context);
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return Identified(new Kubernetes(config), program);
    }

    /// <summary>A client for the server whose data directory is <paramref name="dataDir"/>.</summary>
    public static Kubernetes FromDataDir(string dataDir, string? program = null) => FromKubeconfig(KubeconfigPath(dataDir), program: program);

    /// <summary>
    /// Makes the client's requests carry <paramref name="program"/> as their user agent, as upstream components do
    /// ("kube-scheduler/v1.32.0 (linux/amd64) ..."): the server names managedFields managers after it and counts
    /// requests per program in /metrics.
    /// </summary>
    public static Kubernetes Identified(Kubernetes client, string? program)
    {
        if (program != null)
        {
            client.HttpClient.DefaultRequestHeaders.UserAgent.Clear();
            client.HttpClient.DefaultRequestHeaders.UserAgent.ParseAdd($"{program}/v1.32.0 (linux/amd64) coxswain");
        }
        return client;
    }
}
