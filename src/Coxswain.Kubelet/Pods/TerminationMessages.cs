using Coxswain.Kubelet.Runtime;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// A terminated container's message: what it wrote to its terminationMessagePath (a host file mounted there), or
/// with FallbackToLogsOnError and a failure, the tail of its log, as upstream's kubelet reports it.
/// </summary>
internal static class TerminationMessages
{
    private const int MaxBytes = 4096;
    private const int FallbackLines = 80;

    public static void Fill(V1PodStatus status, PodRuntimeState state, AgentPaths paths)
    {
        foreach (var cs in (status.ContainerStatuses ?? []).Concat(status.InitContainerStatuses ?? []))
        {
            Fill(cs.State?.Terminated, state);
            Fill(cs.LastState?.Terminated, state);
        }
    }

    private static void Fill(V1ContainerStateTerminated? terminated, PodRuntimeState state)
    {
        if (terminated?.ContainerID is not { } id || terminated.Message is { Length: > 0 })
        {
            return;
        }
        var container = state.Containers.FirstOrDefault(c => "containerd://" + c.Id == id);
        if (container is null)
        {
            return;
        }
        var annotations = container.Status.Annotations;
        string? message = null;
        if (annotations.TryGetValue(CriLabels.TerminationMessageFile, out var file) && File.Exists(file))
        {
            message = ReadCapped(file);
        }
        if (string.IsNullOrEmpty(message) && terminated.ExitCode != 0
            && annotations.TryGetValue(CriLabels.TerminationMessagePolicy, out var policy) && policy == "FallbackToLogsOnError"
            && container.Status.LogPath is { Length: > 0 } log && File.Exists(log))
        {
            message = string.Join("\n", File.ReadLines(log).TakeLast(FallbackLines).Select(LogLine));
        }
        if (!string.IsNullOrEmpty(message))
        {
            terminated.Message = message.Length > MaxBytes ? message[^MaxBytes..] : message;
        }
    }

    private static string ReadCapped(string file)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[MaxBytes];
        var n = stream.Read(buffer, 0, buffer.Length);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>The text of a CRI log line: "&lt;time&gt; &lt;stream&gt; &lt;F|P&gt; &lt;text&gt;".</summary>
    private static string LogLine(string line)
    {
        var parts = line.Split(' ', 4);
        return parts.Length == 4 ? parts[3] : line;
    }
}
