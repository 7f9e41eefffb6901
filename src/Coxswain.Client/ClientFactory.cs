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
    public static Kubernetes FromKubeconfig(string path, string? context = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: context);
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return new Kubernetes(config);
    }

    /// <summary>A client for the server whose data directory is <paramref name="dataDir"/>.</summary>
    public static Kubernetes FromDataDir(string dataDir) => FromKubeconfig(KubeconfigPath(dataDir));
}
