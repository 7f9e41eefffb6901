using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Node;
using Coxswain.Kubelet.Pods;
using Coxswain.Kubelet.Runtime;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Images;

/// <summary>
/// Upstream's image garbage collection (image_gc_manager.go): every 5 minutes, when the image filesystem is at
/// least imageGCHighThresholdPercent full, images no container uses are removed, least recently used first, until
/// usage is down to imageGCLowThresholdPercent. Images seen less than the minimum age ago, and pinned ones (the
/// sandbox image), stay. When not enough can be freed the Node gets a FreeDiskSpaceFailed event.
/// </summary>
internal sealed partial class ImageGarbageCollector(CriClient cri, KubeletSettings settings, IEventRecorder events, ILogger logger,
    Func<string, FilesystemStats>? statfs = null, TimeProvider? time = null)
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    /// <summary>When each image was first seen and last seen in use, by image id.</summary>
    private sealed record ImageRecord(DateTimeOffset FirstDetected, DateTimeOffset LastUsed, ulong Size, bool Pinned);

    private readonly Dictionary<string, ImageRecord> _records = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<string, FilesystemStats> _statfs = statfs ?? LinuxMachineReader.Statfs;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Period, _time);
        do
        {
            try
            {
                await CollectAsync(ct);
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException && !ct.IsCancellationRequested)
            {
                LogFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>One round: frees space when the image filesystem is over the high threshold; returns the bytes freed.</summary>
    public async Task<long> CollectAsync(CancellationToken ct)
    {
        // The periodic round and the eviction manager's reclaim share the records.
        await _gate.WaitAsync(ct);
        try
        {
            return await CollectLockedAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long> CollectLockedAsync(CancellationToken ct)
    {
        var mountpoint = (await cri.Images.ImageFsInfoAsync(new ImageFsInfoRequest(), cancellationToken: ct)).ImageFilesystems
            .Select(f => f.FsId?.Mountpoint).FirstOrDefault(m => !string.IsNullOrEmpty(m)) ?? settings.Paths.ContainerdDir;
        var fs = _statfs(mountpoint);
        if (fs.CapacityBytes <= 0)
        {
            events.Event(NodeReference(), EventTypes.Warning, "InvalidDiskCapacity", "invalid capacity 0 on image filesystem");
            return 0;
        }
        var available = Math.Min(fs.AvailableBytes, fs.CapacityBytes);
        var usagePercent = 100 - (int)(available * 100 / fs.CapacityBytes);
        if (usagePercent < settings.ImageGcHighThresholdPercent)
        {
            await DetectAsync(ct);
            return 0;
        }
        var toFree = fs.CapacityBytes * (100 - settings.ImageGcLowThresholdPercent) / 100 - available;
        LogOverThreshold(logger, usagePercent, settings.ImageGcHighThresholdPercent, toFree);
        var freed = await FreeLockedAsync(toFree, ct);
        if (freed < toFree)
        {
            events.Event(NodeReference(), EventTypes.Warning, "FreeDiskSpaceFailed",
                $"Failed to garbage collect required amount of images. Attempted to free {toFree} bytes, but only found {freed} bytes eligible to free.");
        }
        return freed;
    }

    /// <summary>Removes unused images, least recently used first, until <paramref name="bytes"/> are freed; returns what was freed.</summary>
    public async Task<long> FreeAsync(long bytes, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await FreeLockedAsync(bytes, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long> FreeLockedAsync(long bytes, CancellationToken ct)
    {
        var inUse = await DetectAsync(ct);
        var now = _time.GetUtcNow();
        long freed = 0;
        foreach (var (id, record) in Candidates(_records, inUse, now, settings.MinimumImageTtl))
        {
            if (freed >= bytes)
            {
                break;
            }
            try
            {
                await cri.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = id } }, cancellationToken: ct);
            }
            catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
            {
                LogRemoveFailed(logger, id, e.Status.Detail);
                continue;
            }
            _records.Remove(id);
            freed += (long)record.Size;
            LogRemoved(logger, id, record.Size);
        }
        return freed;
    }

    /// <summary>Unused, unpinned images old enough to go, least recently used (then first detected) first.</summary>
    private static IEnumerable<(string Id, ImageRecord Record)> Candidates(Dictionary<string, ImageRecord> records, HashSet<string> inUse,
        DateTimeOffset now, TimeSpan minAge) =>
        records.Where(r => !inUse.Contains(r.Key) && !r.Value.Pinned && now - r.Value.FirstDetected >= minAge)
            .OrderBy(r => r.Value.LastUsed).ThenBy(r => r.Value.FirstDetected)
            .Select(r => (r.Key, r.Value)).ToList();

    /// <summary>Brings the records up to date with the runtime's images and returns the ids of those in use.</summary>
    private async Task<HashSet<string>> DetectAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var images = (await cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct)).Images;
        // Every container the runtime holds, exited ones too, keeps its image (upstream: GetPods(all=true)).
        var containers = (await cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: ct)).Containers;
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            inUse.Add(c.ImageRef);
            if (c.Image?.Image is { Length: > 0 } image)
            {
                inUse.Add(image);
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            seen.Add(image.Id);
            var used = inUse.Contains(image.Id) || image.RepoTags.Any(inUse.Contains) || image.RepoDigests.Any(inUse.Contains);
            if (used)
            {
                inUse.Add(image.Id);
            }
            var pinned = image.Pinned || image.RepoTags.Contains(ContainerdConfig.DefaultSandboxImage);
            _records[image.Id] = _records.TryGetValue(image.Id, out var known)
                ? known with { LastUsed = used ? now : known.LastUsed, Size = image.Size, Pinned = pinned }
                : new ImageRecord(now, used ? now : DateTimeOffset.MinValue, image.Size, pinned);
        }
        foreach (var gone in _records.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _records.Remove(gone);
        }
        return inUse;
    }

    private V1Node NodeReference() =>
        new() { ApiVersion = "v1", Kind = "Node", Metadata = new V1ObjectMeta { Name = settings.NodeName, Uid = settings.NodeName } };

    [LoggerMessage(Level = LogLevel.Information, Message = "image filesystem {Usage}% full (high threshold {High}%): freeing {Bytes} bytes of unused images")]
    private static partial void LogOverThreshold(ILogger logger, int usage, int high, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "removed unused image {Image} ({Size} bytes)")]
    private static partial void LogRemoved(ILogger logger, string image, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "removing image {Image} failed: {Error}")]
    private static partial void LogRemoveFailed(ILogger logger, string image, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "image garbage collection failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
