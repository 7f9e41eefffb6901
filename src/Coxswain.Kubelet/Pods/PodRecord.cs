using System.Collections.Concurrent;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// What the kubelet remembers about one pod between syncs that the runtime does not hold: why containers are
/// waiting, when the pod was first seen, the status last written. Lost on restart, which is harmless: the next
/// sync recomputes all of it.
/// </summary>
internal sealed class PodRecord(string uid)
{
    private readonly ConcurrentDictionary<string, Waiting> _waiting = new();

    public string Uid { get; } = uid;
    public DateTime FirstSeen { get; } = DateTime.UtcNow;
    /// <summary>Set when the pod can never run again (restartPolicy Never after its sandbox died, or activeDeadlineSeconds).</summary>
    public bool FailedPhase { get; set; }
    /// <summary>Why the pod failed as a whole (status.reason and status.message), e.g. DeadlineExceeded.</summary>
    public string? FailedReason { get; private set; }
    public string? FailedMessage { get; private set; }

    /// <summary>Set when the kubelet itself ended the pod (eviction): the DisruptionTarget condition says so.</summary>
    public bool TerminatedByKubelet { get; private set; }
    /// <summary>The admission check ran (it runs once, before anything of the pod starts).</summary>
    public bool Admitted { get; set; }

    public void Fail(string reason, string message, bool byKubelet = false)
    {
        FailedPhase = true;
        FailedReason = reason;
        FailedMessage = message;
        TerminatedByKubelet |= byKubelet;
    }
    public string? LastWrittenStatus { get; set; }
    public bool Terminated { get; set; }

    public Waiting? WaitingFor(string container) => _waiting.GetValueOrDefault(container);
    public void SetWaiting(string container, Waiting waiting) => _waiting[container] = waiting;
    public void ClearWaiting(string container) => _waiting.TryRemove(container, out _);
}
