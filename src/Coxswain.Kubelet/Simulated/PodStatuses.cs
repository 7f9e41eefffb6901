using k8s.Models;

namespace Coxswain.Kubelet.Simulated;

/// <summary>The pod statuses a kubelet would post, for containers that never really run.</summary>
internal static class PodStatuses
{
    public static V1PodStatus Running(V1Pod pod, SimulatedNode node, DateTime now)
    {
        var ip = pod.Spec.HostNetwork == true ? node.InternalIp : node.NextPodIp();
        return new V1PodStatus
        {
            Phase = "Running",
            HostIP = node.InternalIp,
            HostIPs = [new V1HostIP { Ip = node.InternalIp }],
            PodIP = ip,
            PodIPs = [new V1PodIP { Ip = ip }],
            StartTime = now,
            Conditions = Conditions(ready: true, now),
            InitContainerStatuses = pod.Spec.InitContainers?.Select(c => Container(pod, c, Terminated(0, "Completed", now, now), 0, ready: true)).ToList(),
            ContainerStatuses = pod.Spec.Containers.Select(c => Container(pod, c, new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } }, 0, ready: true)).ToList(),
        };
    }

    /// <summary>restartPolicy Never: the containers exited with <paramref name="code"/> and stay down.</summary>
    public static V1PodStatus Failed(V1Pod pod, int code, DateTime now) => Terminated(pod, code, now, "Failed");

    /// <summary>Containers stopped (failed, completed, or for deletion); phase as given.</summary>
    public static V1PodStatus Terminated(V1Pod pod, int code, DateTime now, string phase)
    {
        var reason = code == 0 ? "Completed" : "Error";
        return new V1PodStatus
        {
            Phase = phase,
            Conditions = Conditions(ready: false, now),
            ContainerStatuses = pod.Spec.Containers.Select(c =>
            {
                var old = pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == c.Name);
                var started = old?.State?.Running?.StartedAt ?? now;
                return Container(pod, c, Terminated(code, reason, started, now), old?.RestartCount ?? 0, ready: false);
            }).ToList(),
        };
    }

    /// <summary>restartPolicy OnFailure/Always: the container exited and was started again at once.</summary>
    public static V1PodStatus Restarted(V1Pod pod, int code, DateTime now) => new()
    {
        Phase = "Running",
        Conditions = Conditions(ready: true, now),
        ContainerStatuses = pod.Spec.Containers.Select(c =>
        {
            var old = pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == c.Name);
            var status = Container(pod, c, new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } }, (old?.RestartCount ?? 0) + 1, ready: true);
            status.LastState = Terminated(code, code == 0 ? "Completed" : "Error", old?.State?.Running?.StartedAt ?? now, now);
            return status;
        }).ToList(),
    };

    private static V1ContainerState Terminated(int code, string reason, DateTime started, DateTime finished) =>
        new() { Terminated = new V1ContainerStateTerminated { ExitCode = code, FinishedAt = finished, Reason = reason, StartedAt = started } };

    private static List<V1PodCondition> Conditions(bool ready, DateTime now)
    {
        var r = ready ? "True" : "False";
        return
        [
            new V1PodCondition { Status = "True", Type = "PodScheduled", LastTransitionTime = now },
            new V1PodCondition { Status = "True", Type = "Initialized", LastTransitionTime = now },
            new V1PodCondition { Status = r, Type = "ContainersReady", LastTransitionTime = now },
            new V1PodCondition { Status = r, Type = "Ready", LastTransitionTime = now },
        ];
    }

    private static V1ContainerStatus Container(V1Pod pod, V1Container c, V1ContainerState state, int restarts, bool ready) => new()
    {
        Name = c.Name,
        Image = c.Image,
        ImageID = "simulated://" + c.Image,
        ContainerID = $"simulated://{pod.Metadata.Uid}/{c.Name}",
        Ready = ready,
        Started = state.Running is not null,
        State = state,
        RestartCount = restarts,
    };
}
