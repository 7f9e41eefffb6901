using System.Collections.Concurrent;
using System.Globalization;
using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Env;
using Coxswain.Kubelet.Pods;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Volumes;

/// <summary>
/// The pod workers' <see cref="IPodResources"/> over <see cref="PodVolumes"/> and <see cref="ContainerEnv"/>:
/// converts to CRI messages, turns failures into <see cref="PodResourceException"/> with upstream's texts, and records
/// the events upstream's kubelet records on the way (further FailedMount failures, skipped envFrom keys).
/// </summary>
internal sealed class NodePodVolumesAndEnv(PodVolumes volumes, ContainerEnv env, IEventRecorder events) : IPodResources
{
    // The last termination-message file and pod IP per container/pod: the pod worker asks for them right after
    // EnvAsync/Mounts for the same container, which is when they were made.
    private readonly ConcurrentDictionary<(string Pod, string Container), string> messageFiles = new();
    private readonly ConcurrentDictionary<string, string> podIps = new(StringComparer.Ordinal);

    /// <summary>Everything from the kubelet's settings: pods under its pods dir, objects read from <paramref name="objects"/>.</summary>
    public static NodePodVolumesAndEnv Create(IPodObjectSource objects, KubeletSettings settings, IEventRecorder events)
    {
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new(settings.NodeMemoryBytes.ToString(CultureInfo.InvariantCulture)),
        };
        var options = new PodVolumesOptions(settings.Paths.PodsDir)
        {
            ClusterDomain = settings.ClusterDomain,
            ResyncPeriod = settings.VolumeRefreshPeriod,
            NodeAllocatable = () => allocatable,
        };
        return new NodePodVolumesAndEnv(new PodVolumes(options, objects), new ContainerEnv(objects), events);
    }

    public async Task PrepareAsync(V1Pod pod, CancellationToken ct)
    {
        var failures = await volumes.SetupAsync(pod, ct).ConfigureAwait(false);
        if (failures.Count == 0)
        {
            return;
        }
        // The pod worker records the first; upstream records one FailedMount per volume.
        foreach (var failure in failures.Skip(1))
        {
            events.Event(pod, EventTypes.Warning, VolumeFailure.Reason, failure.EventMessage);
        }
        throw new PodResourceException(failures[0].EventMessage);
    }

    public async Task RefreshAsync(V1Pod pod, CancellationToken ct)
    {
        foreach (var failure in await volumes.UpdateAsync(pod, ct).ConfigureAwait(false))
        {
            events.Event(pod, EventTypes.Warning, VolumeFailure.Reason, failure.EventMessage);
        }
    }

    public async Task<IReadOnlyList<KeyValue>> EnvAsync(V1Pod pod, V1Container container, string? podIp, string hostIp, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(podIp))
        {
            podIps[pod.Metadata.Uid] = podIp;
        }
        var host = new PodHostInfo(string.IsNullOrEmpty(podIp) ? [] : [podIp], [hostIp], volumes.Options.NodeAllocatable());
        ResolvedEnv resolved;
        try
        {
            resolved = await env.ResolveAsync(pod, container, host, ct).ConfigureAwait(false);
        }
        catch (ContainerConfigException e)
        {
            throw new PodResourceException(e.Message);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            throw new PodResourceException(e.Response?.Content is { Length: > 0 } body ? body : e.Message);
        }
        foreach (var warning in resolved.Warnings)
        {
            events.Event(pod, EventTypes.Warning, warning.Reason, warning.Message);
        }
        return resolved.Vars.Select(v => new KeyValue { Key = v.Name, Value = v.Value }).ToList();
    }

    public IReadOnlyList<Mount> Mounts(V1Pod pod, V1Container container, IReadOnlyList<KeyValue> env)
    {
        IReadOnlyList<ContainerMount> mounts;
        try
        {
            IReadOnlyList<string> ips = podIps.TryGetValue(pod.Metadata.Uid, out var ip) ? [ip] : [];
            mounts = volumes.MountsFor(pod, container, env.Select(e => new EnvVar(e.Key, e.Value)).ToList(), ips);
        }
        catch (ContainerConfigException e)
        {
            throw new PodResourceException(e.Message);
        }
        if (PodVolumes.TerminationMessagePath(container) is { } messagePath && mounts.LastOrDefault(m => m.ContainerPath == messagePath) is { } message)
        {
            messageFiles[(pod.Metadata.Uid, container.Name)] = message.HostPath;
        }
        return mounts.Select(m => new Mount
        {
            HostPath = m.HostPath,
            ContainerPath = m.ContainerPath,
            Readonly = m.ReadOnly,
            Propagation = (Cri.V1.MountPropagation)(int)m.Propagation,
        }).ToList();
    }

    public string? TerminationMessageFile(string podUid, string container) => messageFiles.GetValueOrDefault((podUid, container));

    public async Task TeardownAsync(string podUid, CancellationToken ct)
    {
        await volumes.TeardownAsync(podUid).ConfigureAwait(false);
        podIps.TryRemove(podUid, out _);
        foreach (var key in messageFiles.Keys.Where(k => k.Pod == podUid))
        {
            messageFiles.TryRemove(key, out _);
        }
    }
}
