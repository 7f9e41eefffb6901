using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Selectors;
using Coxswain.ApiServer.Registry;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>
/// The pods/eviction subresource (what <c>kubectl drain</c> posts): deletes the pod unless that would
/// break its PodDisruptionBudget, as upstream's eviction REST does. A budget allows an eviction while
/// its status (kept by the disruption controller) says <c>disruptionsAllowed &gt; 0</c>; each eviction
/// takes one and records the pod in <c>disruptedPods</c>, otherwise the answer is 429 and the client
/// retries.
/// </summary>
internal sealed partial class ResourceHandler
{
    private const string NotAllowedByBudget = "Cannot evict pod as it would violate the pod's disruption budget.";

    private async Task EvictAsync(HttpContext ctx, ResourceDefinition pods, string ns, string name, CancellationToken ct)
    {
        var node = await ReadJsonBodyAsync(ctx, ct);
        var apiVersion = node["apiVersion"]?.GetValue<string>();
        if (apiVersion is not ("policy/v1" or "policy/v1beta1"))
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version (policy/v1)");
        }
        var eviction = (V1Eviction)BodyDecoder.ToObject(pods, node, FieldValidation.Ignore, ctx.Response, typeof(V1Eviction), apiVersion, "Eviction");
        if (eviction.Metadata?.Name != name)
        {
            throw ApiException.BadRequest("name in URL does not match name in Eviction object");
        }
        var delete = ToDeleteRequest(eviction.DeleteOptions, ctx.Request.Query);

        var pod = (V1Pod)await registry.GetAsync(pods, ns, name, ct);
        if (!CanIgnoreBudget(pod))
        {
            var budgets = await MatchingBudgetsAsync(ns, pod, ct);
            if (budgets.Count > 1)
            {
                throw ApiException.Internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
            }
            if (budgets.Count == 1)
            {
                var budget = budgets[0];
                var status = budget.Status ?? new V1PodDisruptionBudgetStatus();
                if (!IsReady(pod) && status.CurrentHealthy >= status.DesiredHealthy && status.DesiredHealthy > 0)
                {
                    // An unready pod does not count as healthy: it may go without spending the budget,
                    // as long as it is still the pod that was looked at.
                    delete = delete with { PreconditionResourceVersion = delete.PreconditionResourceVersion ?? pod.Metadata.ResourceVersion };
                }
                else
                {
                    await TakeFromBudgetAsync(ns, budget.Metadata.Name, name, delete.DryRun, ct);
                }
            }
        }
        await registry.DeleteAsync(pods, ns, name, delete, ct);
        await HttpIo.WriteBytesAsync(ctx.Response, 201, StatusJson.Encode(HttpIo.Success(null, null, "", null)));
    }

    /// <summary>Terminal, pending and already deleting pods have no budget to respect.</summary>
    private static bool CanIgnoreBudget(V1Pod pod) =>
        pod.Status?.Phase is "Succeeded" or "Failed" or "Pending" || pod.Metadata.DeletionTimestamp != null;

    private static bool IsReady(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private async Task<List<V1PodDisruptionBudget>> MatchingBudgetsAsync(string ns, V1Pod pod, CancellationToken ct)
    {
        var page = await registry.ListAsync(Budgets, ns, new ListQuery(), ct);
        var matching = new List<V1PodDisruptionBudget>();
        foreach (var item in page.Items)
        {
            var budget = (V1PodDisruptionBudget)item.Object;
            // An invalid selector matches nothing; so does an empty one (not everything).
            if (LabelSelector.TryFromLabelSelector(budget.Spec?.Selector, out var selector, out _)
                && !selector.IsEverything && !selector.IsNothing && selector.Matches(pod.Metadata.Labels))
            {
                matching.Add(budget);
            }
        }
        return matching;
    }

    /// <summary>Spends one allowed disruption of the budget (retried on conflicts), or refuses with 429.</summary>
    private async Task TakeFromBudgetAsync(string ns, string budgetName, string podName, bool dryRun, CancellationToken ct)
    {
        var now = registry.Clock.GetUtcNow().UtcDateTime;
        await registry.UpdateAsync(Budgets, ns, budgetName, "status", current =>
        {
            var budget = (V1PodDisruptionBudget)current;
            var status = budget.Status ??= new V1PodDisruptionBudgetStatus();
            if ((status.ObservedGeneration ?? 0) < (budget.Metadata.Generation ?? 0))
            {
                throw TooManyRequests($"The disruption budget {budgetName} is still being processed by the server.");
            }
            if (status.DisruptionsAllowed < 0)
            {
                throw ApiException.Forbidden("poddisruptionbudget", "policy", budgetName, "pdb disruptions allowed is negative");
            }
            if (status.DisruptionsAllowed == 0)
            {
                throw TooManyRequests($"The disruption budget {budgetName} needs {status.DesiredHealthy} healthy pods and has {status.CurrentHealthy} currently");
            }
            status.DisruptionsAllowed--;
            status.DisruptedPods ??= new Dictionary<string, DateTime?>();
            status.DisruptedPods[podName] = now;
            budget.Metadata.ResourceVersion = null;
            return budget;
        }, new WriteOptions { FieldManager = "eviction", DryRun = dryRun }, ct);
    }

    private static ApiException TooManyRequests(string cause) =>
        new(429, "TooManyRequests", NotAllowedByBudget, new V1StatusDetails
        {
            Causes = [new V1StatusCause { Reason = "DisruptionBudget", Message = cause }],
        });

    private static ResourceDefinition Budgets =>
        ResourceCatalog.Default.FindByKind("policy/v1", "PodDisruptionBudget") ?? throw new InvalidOperationException("PodDisruptionBudgets are not served");
}
