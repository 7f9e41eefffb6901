namespace Coxswain.Kubelet.Node;

/// <summary>
/// The container runtime facts node status needs (CRI Version, Status and ListImages); implemented over the CRI
/// client, faked in tests. Throwing means the runtime is down.
/// </summary>
public interface INodeRuntime
{
    Task<RuntimeFacts> ReadAsync(CancellationToken ct);
}

/// <param name="Name">CRI runtime_name, e.g. "containerd".</param>
/// <param name="Version">CRI runtime_version, e.g. "1.6.20~ds1".</param>
/// <param name="Conditions">CRI RuntimeStatus conditions (RuntimeReady, NetworkReady).</param>
public sealed record RuntimeFacts(string Name, string Version, IReadOnlyList<RuntimeCondition> Conditions, IReadOnlyList<RuntimeImage> Images);

public sealed record RuntimeCondition(string Type, bool Status, string Reason = "", string Message = "")
{
    public const string RuntimeReady = "RuntimeReady";
    public const string NetworkReady = "NetworkReady";

    /// <summary>As upstream's kubecontainer.RuntimeCondition prints itself in the Ready condition's message.</summary>
    public override string ToString() => $"{Type}={(Status ? "true" : "false")} reason:{Reason} message:{Message}";
}

public sealed record RuntimeImage(IReadOnlyList<string> RepoTags, IReadOnlyList<string> RepoDigests, long SizeBytes);
