using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>
/// The Pod printer: READY, STATUS and RESTARTS as kubectl shows them, computed from the
/// container statuses the way upstream's printPod does (init containers, sidecars, Terminating,
/// NodeLost, Completed with running containers, ...).
/// </summary>
internal static class PodPrinter
{
    /// <summary>The three computed cells of a pod row.</summary>
    internal readonly record struct Summary(string Ready, string Status, string Restarts);

    private static readonly TableRowCondition[] Succeeded =
        [new("Completed", "True", "Succeeded", "The pod has completed successfully.")];

    private static readonly TableRowCondition[] Failed =
        [new("Completed", "True", "Failed", "The pod failed.")];

    public static TablePrinter Create() => new TablePrinter(
            Columns.Name,
            Columns.Text("Ready", ColumnDescriptions.PodReady),
            Columns.Text("Status", ColumnDescriptions.PodStatus),
            Columns.Text("Restarts", ColumnDescriptions.PodRestarts),
            Columns.Age,
            Columns.Text("IP", ColumnDescriptions.PodIP, 1),
            Columns.Text("Node", ColumnDescriptions.PodNodeName, 1),
            Columns.Text("Nominated Node", ColumnDescriptions.PodNominatedNodeName, 1),
            Columns.Text("Readiness Gates", ColumnDescriptions.PodReadinessGates, 1))
        .On<V1Pod>(Cells, Conditions);

    private static object?[] Cells(V1Pod pod, DateTime now)
    {
        var s = Summarize(pod, now);
        var ips = pod.Status?.PodIPs;
        var ip = ips is { Count: > 0 } ? ips[0].Ip : null;
        return
        [
            Print.NameOf(pod.Metadata), s.Ready, s.Status, s.Restarts, Print.Age(pod.Metadata, now),
            Print.OrNone(ip), Print.OrNone(pod.Spec?.NodeName), Print.OrNone(pod.Status?.NominatedNodeName), ReadinessGates(pod),
        ];
    }

    private static IReadOnlyList<TableRowCondition>? Conditions(V1Pod pod) => pod.Status?.Phase switch
    {
        "Succeeded" => Succeeded,
        "Failed" => Failed,
        _ => null,
    };

    /// <summary>Upstream's READY / STATUS / RESTARTS algorithm.</summary>
    internal static Summary Summarize(V1Pod pod, DateTime now)
    {
        var spec = pod.Spec;
        var status = pod.Status;
        var conditions = status?.Conditions ?? [];
        var initSpecs = spec?.InitContainers ?? [];

        var restarts = 0L;
        var sidecarRestarts = 0L;
        var total = spec?.Containers?.Count ?? 0;
        var ready = 0;
        DateTime? lastRestart = null;
        DateTime? lastSidecarRestart = null;

        var phase = status?.Phase ?? "";
        var reason = string.IsNullOrEmpty(status?.Reason) ? phase : status.Reason;
        foreach (var c in conditions)
        {
            if (c.Type == "PodScheduled" && c.Reason == "SchedulingGated")
            {
                reason = "SchedulingGated";
            }
        }

        var sidecars = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in initSpecs)
        {
            if (c.RestartPolicy == "Always")
            {
                sidecars.Add(c.Name ?? "");
                total++;
            }
        }

        var initializing = false;
        var initStatuses = status?.InitContainerStatuses ?? [];
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var isSidecar = sidecars.Contains(container.Name ?? "");
            restarts += container.RestartCount;
            Latest(ref lastRestart, container.LastState?.Terminated?.FinishedAt);
            if (isSidecar)
            {
                sidecarRestarts += container.RestartCount;
                Latest(ref lastSidecarRestart, container.LastState?.Terminated?.FinishedAt);
            }

            var terminated = container.State?.Terminated;
            var waiting = container.State?.Waiting;
            if (terminated != null && terminated.ExitCode == 0)
            {
                continue;
            }
            if (isSidecar && container.Started == true)
            {
                if (container.Ready)
                {
                    ready++;
                }
                continue;
            }
            if (terminated != null)
            {
                reason = string.IsNullOrEmpty(terminated.Reason)
                    ? (terminated.Signal is { } sig && sig != 0
                        ? string.Create(CultureInfo.InvariantCulture, $"Init:Signal:{sig}")
                        : string.Create(CultureInfo.InvariantCulture, $"Init:ExitCode:{terminated.ExitCode}"))
                    : "Init:" + terminated.Reason;
            }
            else if (!string.IsNullOrEmpty(waiting?.Reason) && waiting.Reason != "PodInitializing")
            {
                reason = "Init:" + waiting.Reason;
            }
            else
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"Init:{i}/{initSpecs.Count}");
            }
            initializing = true;
            break;
        }

        if (!initializing || IsInitialized(conditions))
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            var statuses = status?.ContainerStatuses ?? [];
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += container.RestartCount;
                Latest(ref lastRestart, container.LastState?.Terminated?.FinishedAt);
                var waiting = container.State?.Waiting;
                var terminated = container.State?.Terminated;
                if (!string.IsNullOrEmpty(waiting?.Reason))
                {
                    reason = waiting.Reason;
                }
                else if (terminated != null && !string.IsNullOrEmpty(terminated.Reason))
                {
                    reason = terminated.Reason;
                }
                else if (terminated != null)
                {
                    reason = terminated.Signal is { } sig && sig != 0
                        ? string.Create(CultureInfo.InvariantCulture, $"Signal:{sig}")
                        : string.Create(CultureInfo.InvariantCulture, $"ExitCode:{terminated.ExitCode}");
                }
                else if (container.Ready && container.State?.Running != null)
                {
                    hasRunning = true;
                    ready++;
                }
            }

            // A pod whose last container completed but another still runs is not "Completed".
            if (reason == "Completed" && hasRunning)
            {
                reason = HasReadyCondition(conditions) ? "Running" : "NotReady";
            }
        }

        if (pod.Metadata?.DeletionTimestamp != null && status?.Reason == "NodeLost")
        {
            reason = "Unknown";
        }
        else if (pod.Metadata?.DeletionTimestamp != null && phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        var restartsText = restarts.ToString(CultureInfo.InvariantCulture);
        if (restarts != 0 && lastRestart is { } last)
        {
            restartsText = $"{restartsText} ({HumanDuration.Since(last, now)} ago)";
        }
        return new Summary(string.Create(CultureInfo.InvariantCulture, $"{ready}/{total}"), reason, restartsText);
    }

    private static void Latest(ref DateTime? latest, DateTime? candidate)
    {
        if (candidate is { } c && c != default && (latest == null || HumanDuration.Utc(c) > HumanDuration.Utc(latest.Value)))
        {
            latest = c;
        }
    }

    /// <summary>Only the first Initialized condition counts, as upstream.</summary>
    private static bool IsInitialized(IList<V1PodCondition> conditions)
    {
        foreach (var c in conditions)
        {
            if (c.Type == "Initialized")
            {
                return c.Status == "True";
            }
        }
        return false;
    }

    private static bool HasReadyCondition(IList<V1PodCondition> conditions) =>
        conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    /// <summary><c>T/N</c>: gates whose condition (first of its type) is True, of all gates.</summary>
    private static string ReadinessGates(V1Pod pod)
    {
        var gates = pod.Spec?.ReadinessGates;
        if (gates == null || gates.Count == 0)
        {
            return Print.None;
        }
        var conditions = pod.Status?.Conditions ?? [];
        var trueCount = 0;
        foreach (var gate in gates)
        {
            foreach (var c in conditions)
            {
                if (c.Type == gate.ConditionType)
                {
                    if (c.Status == "True")
                    {
                        trueCount++;
                    }
                    break;
                }
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{trueCount}/{gates.Count}");
    }
}
