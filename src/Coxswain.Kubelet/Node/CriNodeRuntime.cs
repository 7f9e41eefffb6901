using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;

namespace Coxswain.Kubelet.Node;

/// <summary>The runtime facts of node status over CRI: Version, Status and ListImages, as upstream's kubelet asks them.</summary>
public sealed class CriNodeRuntime(CriClient cri) : INodeRuntime
{
    public async Task<RuntimeFacts> ReadAsync(CancellationToken ct)
    {
        var version = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: ct);
        var status = await cri.Runtime.StatusAsync(new StatusRequest(), cancellationToken: ct);
        var images = await cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct);
        return new RuntimeFacts(
            version.RuntimeName,
            version.RuntimeVersion,
            status.Status?.Conditions.Select(c => new RuntimeCondition(c.Type, c.Status, c.Reason, c.Message)).ToList() ?? [],
            images.Images.Select(i => new RuntimeImage(i.RepoTags.ToList(), i.RepoDigests.ToList(), (long)i.Size)).ToList());
    }
}
