using Coxswain.Kubelet.Env;
using k8s.Models;

namespace Coxswain.Kubelet.Volumes;

/// <summary>
/// The node's volume manager for one pod at a time: prepares each volume's host directory under
/// <c>&lt;podsDir&gt;/&lt;uid&gt;/volumes/&lt;plugin&gt;/&lt;name&gt;</c> (hostPath volumes use the host path itself),
/// refreshes the API-backed ones, lists a container's bind mounts, and removes it all when the pod is gone.
/// emptyDir medium Memory, secret and projected volumes are tmpfs mounts, as upstream (secrets never touch disk).
/// </summary>
public sealed partial class PodVolumes(PodVolumesOptions options, IPodObjectSource objects)
{
    private const int WorldWritable = 0x1ff; // 0777, what upstream gives emptyDir directories

    // The pod worker's setup and the resync loop may meet on one pod; its volumes are written by one at a time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> podLocks = new(StringComparer.Ordinal);

    public PodVolumesOptions Options => options;

    /// <summary><c>&lt;podsDir&gt;/&lt;uid&gt;</c>.</summary>
    public string PodDir(string podUid) => Path.Combine(options.PodsDir, podUid);

    /// <summary>Where a volume's content lives on the host.</summary>
    public string VolumePath(string podUid, V1Volume volume) => volume.HostPath is { } hostPath
        ? hostPath.Path
        : Path.Combine(PodDir(podUid), "volumes", PluginDir(volume), volume.Name);

    /// <summary>
    /// Prepares every volume of the pod; safe to call again (set-up volumes are left alone, contents refreshed).
    /// An empty result means the containers can start; otherwise the pod stays ContainerCreating and each failure
    /// becomes a FailedMount event.
    /// </summary>
    public Task<IReadOnlyList<VolumeFailure>> SetupAsync(V1Pod pod, CancellationToken ct) => EachVolumeAsync(pod, contentOnly: false, ct);

    /// <summary>Re-writes configMap, secret, downwardAPI and projected volumes whose source changed; containers see the new files.</summary>
    public Task<IReadOnlyList<VolumeFailure>> UpdateAsync(V1Pod pod, CancellationToken ct) => EachVolumeAsync(pod, contentOnly: true, ct);

    /// <summary>Calls <see cref="UpdateAsync"/> for the given pods every <see cref="PodVolumesOptions.ResyncPeriod"/> until cancelled.</summary>
    public async Task RunResyncAsync(Func<IEnumerable<V1Pod>> pods, Action<V1Pod, VolumeFailure> onFailure, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.ResyncPeriod);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            foreach (var pod in pods())
            {
                foreach (var failure in await UpdateAsync(pod, ct).ConfigureAwait(false))
                {
                    onFailure(pod, failure);
                }
            }
        }
    }

    /// <summary>Unmounts everything under the pod's directory and removes it. Run after the pod's containers are gone.</summary>
    public async Task TeardownAsync(string podUid)
    {
        var podLock = podLocks.GetOrAdd(podUid, _ => new SemaphoreSlim(1, 1));
        await podLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var podDir = PodDir(podUid);
            if (!Directory.Exists(podDir))
            {
                return;
            }
            foreach (var mountPoint in Tmpfs.MountPointsUnder(podDir))
            {
                Tmpfs.Unmount(mountPoint);
            }
            Directory.Delete(podDir, recursive: true);
        }
        finally
        {
            podLock.Release();
            podLocks.TryRemove(KeyValuePair.Create(podUid, podLock));
        }
    }

    private async Task<IReadOnlyList<VolumeFailure>> EachVolumeAsync(V1Pod pod, bool contentOnly, CancellationToken ct)
    {
        var podLock = podLocks.GetOrAdd(pod.Metadata.Uid, _ => new SemaphoreSlim(1, 1));
        await podLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await EachVolumeLockedAsync(pod, contentOnly, ct).ConfigureAwait(false);
        }
        finally
        {
            podLock.Release();
        }
    }

    private async Task<IReadOnlyList<VolumeFailure>> EachVolumeLockedAsync(V1Pod pod, bool contentOnly, CancellationToken ct)
    {
        var failures = new List<VolumeFailure>();
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (contentOnly && !(IsApiBacked(volume) && Directory.Exists(VolumePath(pod.Metadata.Uid, volume))))
            {
                continue;
            }
            try
            {
                await SetupVolumeAsync(pod, volume, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VolumeSetupException or ContainerConfigException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                failures.Add(new VolumeFailure(volume.Name, e.Message));
            }
        }
        return failures;
    }

    private async Task SetupVolumeAsync(V1Pod pod, V1Volume volume, CancellationToken ct)
    {
        var dir = VolumePath(pod.Metadata.Uid, volume);
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        if (volume.HostPath is { } hostPath)
        {
            HostPathTypes.Check(hostPath.Path, hostPath.Type);
        }
        else if (volume.EmptyDir is { } emptyDir)
        {
            var memory = emptyDir.Medium == "Memory";
            if (PrepareDir(dir, memory ? MemoryVolumeSize(pod, emptyDir.SizeLimit) : null))
            {
                FsGroupOwnership.Apply(dir, pod.Spec.SecurityContext?.FsGroup, readOnly: false);
            }
        }
        else if (volume.ConfigMap is { } configMap)
        {
            var optional = configMap.Optional == true;
            var source = await objects.GetConfigMapAsync(ns, configMap.Name, ct).ConfigureAwait(false)
                ?? (optional ? new V1ConfigMap() : throw new VolumeSetupException($"configmap \"{configMap.Name}\" not found"));
            var payload = VolumePayloads.ConfigMap(source, configMap.Items, configMap.DefaultMode, optional);
            PrepareDir(dir, null);
            WriteContent(dir, payload, pod);
        }
        else if (volume.Secret is { } secret)
        {
            var optional = secret.Optional == true;
            var source = await objects.GetSecretAsync(ns, secret.SecretName, ct).ConfigureAwait(false)
                ?? (optional ? new V1Secret() : throw new VolumeSetupException($"secret \"{secret.SecretName}\" not found"));
            var payload = VolumePayloads.Secret(source, secret.Items, secret.DefaultMode, optional);
            PrepareDir(dir, MemoryVolumeSize(pod, null));
            WriteContent(dir, payload, pod);
        }
        else if (volume.DownwardAPI is { } downward)
        {
            var payload = VolumePayloads.DownwardApi(pod, downward.Items, downward.DefaultMode, options.NodeAllocatable());
            PrepareDir(dir, null);
            WriteContent(dir, payload, pod);
        }
        else if (volume.Projected is { } projected)
        {
            var payload = await ProjectedPayloadAsync(pod, projected, ct).ConfigureAwait(false);
            PrepareDir(dir, MemoryVolumeSize(pod, null));
            WriteContent(dir, payload, pod);
        }
        else
        {
            throw new VolumeSetupException($"volume \"{volume.Name}\" has a type this node does not support yet");
        }
    }

    /// <summary>
    /// A projected volume merges its sources' files (upstream's projected collectData). serviceAccountToken and
    /// clusterTrustBundle sources are not supported yet and are skipped, so the rest of the volume still works.
    /// </summary>
    private async Task<Dictionary<string, FileProjection>> ProjectedPayloadAsync(V1Pod pod, V1ProjectedVolumeSource projected, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var source in projected.Sources ?? [])
        {
            try
            {
                Dictionary<string, FileProjection> files;
                if (source.ConfigMap is { } cm)
                {
                    var optional = cm.Optional == true;
                    var configMap = await objects.GetConfigMapAsync(ns, cm.Name, ct).ConfigureAwait(false)
                        ?? (optional ? new V1ConfigMap() : throw new VolumeSetupException($"configmap \"{cm.Name}\" not found"));
                    files = VolumePayloads.ConfigMap(configMap, cm.Items, projected.DefaultMode, optional);
                }
                else if (source.Secret is { } s)
                {
                    var optional = s.Optional == true;
                    var secret = await objects.GetSecretAsync(ns, s.Name, ct).ConfigureAwait(false)
                        ?? (optional ? new V1Secret() : throw new VolumeSetupException($"secret \"{s.Name}\" not found"));
                    files = VolumePayloads.Secret(secret, s.Items, projected.DefaultMode, optional);
                }
                else if (source.DownwardAPI is { } downward)
                {
                    files = VolumePayloads.DownwardApi(pod, downward.Items, projected.DefaultMode, options.NodeAllocatable());
                }
                else
                {
                    continue;
                }
                foreach (var (path, file) in files)
                {
                    payload[path] = file;
                }
            }
            catch (VolumeSetupException e)
            {
                errors.Add(e.Message);
            }
        }
        return errors.Count > 0 ? throw new VolumeSetupException(VolumePayloads.Aggregate(errors)) : payload;
    }

    /// <summary>Creates the volume directory (0777); with a size, a tmpfs of that size is mounted on it once. True when it was new.</summary>
    private static bool PrepareDir(string dir, long? tmpfsSize)
    {
        var created = !Directory.Exists(dir);
        if (created)
        {
            UnixFiles.CreateDirectory(dir, WorldWritable);
        }
        if (tmpfsSize is { } size && !Tmpfs.IsMountPoint(dir))
        {
            Tmpfs.Mount(dir, size);
            created = true;
        }
        return created;
    }

    /// <summary>
    /// Writes an API-backed volume. With an fsGroup its files also get group read (so the write is skipped when
    /// nothing changed) and the group owns everything before the swap, as upstream's writer does.
    /// </summary>
    private static void WriteContent(string dir, Dictionary<string, FileProjection> payload, V1Pod pod)
    {
        if (pod.Spec.SecurityContext?.FsGroup is not { } fsGroup)
        {
            AtomicWriter.Write(dir, payload);
            return;
        }
        var grouped = payload.ToDictionary(e => e.Key, e => e.Value with { Mode = e.Value.Mode | 0x120 }, StringComparer.Ordinal);
        AtomicWriter.Write(dir, grouped, () => FsGroupOwnership.Apply(dir, fsGroup, readOnly: true));
    }

    /// <summary>
    /// The size of a memory-backed volume (upstream's calculateEmptyDirMemorySize): node allocatable memory, lowered
    /// to the pod's memory limit, lowered to the volume's sizeLimit; 0 = the kernel default.
    /// </summary>
    internal long MemoryVolumeSize(V1Pod pod, ResourceQuantity? sizeLimit)
    {
        var size = options.NodeAllocatable().TryGetValue("memory", out var allocatable) ? allocatable.ToDecimal() : 0m;
        if (PodMemoryLimit(pod) is { } podLimit && podLimit > 0 && (size == 0 || podLimit <= size))
        {
            size = podLimit;
        }
        if (sizeLimit?.ToDecimal() is { } volumeLimit && volumeLimit > 0 && (size == 0 || volumeLimit <= size))
        {
            size = volumeLimit;
        }
        return (long)Math.Ceiling(size);
    }

    // The pod cgroup's memory limit: the sum over app containers when all set one, or the largest init container's.
    private static decimal? PodMemoryLimit(V1Pod pod)
    {
        decimal? Limit(V1Container c) => c.Resources?.Limits is { } l && l.TryGetValue("memory", out var q) ? q.ToDecimal() : null;
        var app = pod.Spec.Containers.Select(Limit).ToList();
        if (app.Count == 0 || app.Any(l => l is null))
        {
            return null;
        }
        var sum = app.Sum(l => l!.Value);
        foreach (var init in pod.Spec.InitContainers ?? [])
        {
            if (Limit(init) is not { } initLimit)
            {
                return null;
            }
            sum = Math.Max(sum, initLimit);
        }
        return sum;
    }

    private static bool IsApiBacked(V1Volume volume) =>
        volume.ConfigMap is not null || volume.Secret is not null || volume.DownwardAPI is not null || volume.Projected is not null;

    /// <summary>Upstream's plugin directory names, so tools that know the kubelet's layout find things.</summary>
    internal static string PluginDir(V1Volume volume) => volume switch
    {
        { EmptyDir: not null } => "kubernetes.io~empty-dir",
        { ConfigMap: not null } => "kubernetes.io~configmap",
        { Secret: not null } => "kubernetes.io~secret",
        { DownwardAPI: not null } => "kubernetes.io~downward-api",
        { Projected: not null } => "kubernetes.io~projected",
        _ => "kubernetes.io~unsupported",
    };
}
