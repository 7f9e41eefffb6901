using k8s.Models;

namespace Coxswain.Controllers.Job;

/// <summary>
/// Upstream matchPodFailurePolicy: the first rule matching a failed pod decides what its failure means. FailJob
/// fails the Job (with a message naming the rule), Ignore keeps the failure out of the backoffLimit count, Count
/// (and no match) counts it. FailIndex needs backoffLimitPerIndex, which is not implemented: it counts.
/// </summary>
internal static class PodFailurePolicy
{
    public const string Reason = "PodFailurePolicy";

    /// <summary>What the policy makes of <paramref name="pod"/>: the FailJob message, if any, and whether it counts.</summary>
    public static (string? FailJobMessage, bool Counts) Match(V1PodFailurePolicy? policy, V1Pod pod)
    {
        if (policy?.Rules == null)
        {
            return (null, true);
        }
        for (var index = 0; index < policy.Rules.Count; index++)
        {
            var rule = policy.Rules[index];
            string? what = null;
            if (rule.OnExitCodes is { } onExitCodes && MatchingContainer(pod, onExitCodes) is { } container)
            {
                what = $"Container {container.Name} for pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} failed with exit code {container.State.Terminated.ExitCode} matching {rule.Action} rule at index {index}";
            }
            else if (rule.OnPodConditions is { } patterns && MatchingCondition(pod, patterns) is { } condition)
            {
                what = $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has condition {condition.Type} matching {rule.Action} rule at index {index}";
            }
            if (what == null)
            {
                continue;
            }
            return rule.Action switch
            {
                "FailJob" => (what, true),
                "Ignore" => (null, false),
                _ => (null, true),
            };
        }
        return (null, true);
    }

    private static V1ContainerStatus? MatchingContainer(V1Pod pod, V1PodFailurePolicyOnExitCodesRequirement requirement)
    {
        foreach (var status in (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []))
        {
            if (status.State?.Terminated is not { ExitCode: not 0 } terminated
                || (requirement.ContainerName != null && requirement.ContainerName != status.Name))
            {
                continue;
            }
            var listed = requirement.Values?.Contains(terminated.ExitCode) == true;
            if (requirement.OperatorProperty == "In" ? listed : requirement.OperatorProperty == "NotIn" && !listed)
            {
                return status;
            }
        }
        return null;
    }

    private static V1PodCondition? MatchingCondition(V1Pod pod, IList<V1PodFailurePolicyOnPodConditionsPattern> patterns)
    {
        foreach (var pattern in patterns)
        {
            var status = string.IsNullOrEmpty(pattern.Status) ? "True" : pattern.Status;
            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == pattern.Type && c.Status == status) is { } condition)
            {
                return condition;
            }
        }
        return null;
    }
}
