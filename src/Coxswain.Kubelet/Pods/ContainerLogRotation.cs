using System.Globalization;
using System.IO.Compression;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// Upstream's container log manager: every monitor interval, the log of each running container that reached
/// containerLogMaxSize is renamed to <c>LOG.yyyyMMdd-HHmmss</c> and the runtime reopens a fresh one; the rotated
/// files before it are gzipped, and at most containerLogMaxFiles files are kept, the oldest removed first.
/// <c>kubectl logs</c> reads the current file, as upstream's does.
/// </summary>
internal sealed partial class ContainerLogRotation(CriClient cri, KubeletSettings settings, ILogger logger, TimeProvider? time = null)
{
    private const string CompressedSuffix = ".gz", TemporarySuffix = ".tmp";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(settings.ContainerLogMonitorInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await RotateAllAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RotateAllAsync(CancellationToken ct)
    {
        ListContainersResponse list;
        try
        {
            list = await cri.Runtime.ListContainersAsync(new ListContainersRequest
            {
                // Stopped containers write nothing more: an empty fresh log would only hide their last words.
                Filter = new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } },
            }, cancellationToken: ct);
        }
        catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
        {
            LogFailed(logger, "(all)", e.Status.Detail);
            return;
        }
        foreach (var container in list.Containers)
        {
            try
            {
                var status = await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = container.Id }, cancellationToken: ct);
                var id = container.Id;
                await RotateIfFullAsync(status.Status.LogPath, () => cri.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }, cancellationToken: ct).ResponseAsync);
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException or UnauthorizedAccessException && !ct.IsCancellationRequested)
            {
                LogFailed(logger, container.Id, e.Message);
            }
        }
    }

    /// <summary>Rotates <paramref name="log"/> when it reached the size limit; <paramref name="reopen"/> makes the runtime write a new one.</summary>
    public async Task RotateIfFullAsync(string log, Func<Task> reopen)
    {
        if (string.IsNullOrEmpty(log))
        {
            return;
        }
        if (!File.Exists(log))
        {
            // Removed behind the runtime's back: have it write a new one.
            await reopen();
            return;
        }
        if (new FileInfo(log).Length < settings.ContainerLogMaxSize)
        {
            return;
        }
        var rotated = RemoveExcess(CleanUp(Rotated(log)));
        foreach (var old in rotated.Where(f => !f.EndsWith(CompressedSuffix, StringComparison.Ordinal)))
        {
            Compress(old);
        }
        // The newest rotated file stays plain until the next rotation, so readers still on it can finish.
        var target = $"{log}.{_time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        File.Move(log, target);
        try
        {
            await reopen();
        }
        catch
        {
            // Put it back, to try again next round rather than lose the runtime's output.
            File.Move(target, log);
            throw;
        }
    }

    /// <summary>The rotated files of <paramref name="log"/>, oldest first (the timestamp suffix sorts by time).</summary>
    private static List<string> Rotated(string log) =>
        // Not a "0.log.*" search pattern: .NET's would match 0.log itself.
        [.. Directory.EnumerateFiles(Path.GetDirectoryName(log)!).Where(f => f.StartsWith(log + ".", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>Drops what an interrupted compression left: temporary files, and plain files whose .gz exists.</summary>
    private static List<string> CleanUp(List<string> files)
    {
        var kept = new List<string>();
        foreach (var f in files)
        {
            if (f.EndsWith(TemporarySuffix, StringComparison.Ordinal) || files.Contains(f + CompressedSuffix))
            {
                File.Delete(f);
            }
            else
            {
                kept.Add(f);
            }
        }
        return kept;
    }

    /// <summary>Room for the file being rotated and the runtime's new one: at most maxFiles - 2 older ones stay.</summary>
    private List<string> RemoveExcess(List<string> files)
    {
        var excess = files.Count - Math.Max(0, settings.ContainerLogMaxFiles - 2);
        foreach (var f in files.Take(Math.Max(0, excess)))
        {
            File.Delete(f);
        }
        return [.. files.Skip(Math.Max(0, excess))];
    }

    private static void Compress(string file)
    {
        var temporary = file + TemporarySuffix;
        using (var input = File.OpenRead(file))
        using (var output = File.Create(temporary))
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            input.CopyTo(gzip);
        }
        File.Move(temporary, file + CompressedSuffix);
        File.Delete(file);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "rotating the log of container {Container} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string container, string error);
}
