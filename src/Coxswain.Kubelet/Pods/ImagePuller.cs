using System.Diagnostics;
using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// Makes a container's image present as its imagePullPolicy says (upstream's images/image_manager.go), with
/// upstream's events (Pulling, Pulled, Failed, BackOff) and back-off between failed pulls (ImagePullBackOff).
/// </summary>
internal sealed class ImagePuller(CriClient cri, IEventRecorder events)
{
    private readonly Backoff _backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    /// <summary>The image reference to create the container from, or a waiting reason and message when it is not there.</summary>
    public async Task<(string? Image, string? Reason, string? Message)> EnsureAsync(V1Pod pod, V1Container container, PodSandboxConfig sandbox, CancellationToken ct)
    {
        var image = container.Image ?? "";
        var policy = container.ImagePullPolicy ?? (image.EndsWith(":latest", StringComparison.Ordinal) || !HasTag(image) ? "Always" : "IfNotPresent");
        var key = $"{pod.Metadata.Uid}/{container.Name}";
        if (policy != "Always")
        {
            var status = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, cancellationToken: ct);
            if (status.Image is { } present)
            {
                events.Event(pod, EventTypes.Normal, "Pulled", $"Container image \"{image}\" already present on machine");
                return (present.Id, null, null);
            }
            if (policy == "Never")
            {
                var message = $"Container image \"{image}\" is not present with pull policy of Never";
                events.Event(pod, EventTypes.Warning, "ErrImageNeverPull", message);
                return (null, "ErrImageNeverPull", message);
            }
        }
        if (_backoff.Remaining(key) > TimeSpan.Zero)
        {
            var message = $"Back-off pulling image \"{image}\"";
            events.Event(pod, EventTypes.Normal, "BackOff", message);
            return (null, "ImagePullBackOff", message);
        }
        events.Event(pod, EventTypes.Normal, "Pulling", $"Pulling image \"{image}\"");
        var watch = Stopwatch.StartNew();
        try
        {
            var pulled = await cri.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = image }, SandboxConfig = sandbox }, cancellationToken: ct);
            var size = (await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = pulled.ImageRef } }, cancellationToken: ct)).Image?.Size ?? 0;
            var took = watch.Elapsed.TotalSeconds;
            events.Event(pod, EventTypes.Normal, "Pulled", $"Successfully pulled image \"{image}\" in {took:0.###}s ({took:0.###}s including waiting). Image size: {size} bytes.");
            _backoff.Forget(key);
            return (pulled.ImageRef, null, null);
        }
        catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
        {
            var message = $"Failed to pull image \"{image}\": {e.Status.Detail}";
            events.Event(pod, EventTypes.Warning, "Failed", message);
            events.Event(pod, EventTypes.Warning, "Failed", "Error: ErrImagePull");
            _backoff.Next(key, DateTimeOffset.UtcNow);
            return (null, "ErrImagePull", message);
        }
    }

    public void Forget(string podUid) => _backoff.ForgetPrefix(podUid + "/");

    /// <summary>A tag follows the last ':' after the last '/' (a ':' before it is a registry port); a digest counts as a tag.</summary>
    private static bool HasTag(string image)
    {
        if (image.Contains('@'))
        {
            return true;
        }
        var slash = image.LastIndexOf('/');
        return image.IndexOf(':', slash + 1) >= 0;
    }
}
