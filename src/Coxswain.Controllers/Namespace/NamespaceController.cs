using System.Text.Json;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.GarbageCollector;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.Namespace;

/// <summary>
/// Upstream's namespace controller (pkg/controller/namespace): a namespace with a deletionTimestamp has the content
/// of every namespaced resource deleted (deletecollection per resource); while objects remain (finalizers, graceful
/// deletion) the namespace is re-queued, and once every list is empty the "kubernetes" finalizer is removed through
/// the finalize subresource, letting the API server delete the namespace.
/// </summary>
public sealed partial class NamespaceController : QueueController
{
    public const string KubernetesFinalizer = "kubernetes";

    /// <summary>How soon a namespace whose content is still going away is looked at again.</summary>
    public static readonly TimeSpan RecheckDelay = TimeSpan.FromSeconds(1);

    private static readonly string Background = KubernetesJson.Serialize(new V1DeleteOptions { PropagationPolicy = "Background" });

    private readonly Kubernetes _client;
    private readonly SharedInformer<V1Namespace> _namespaces;

    public NamespaceController(ControllerManager manager)
        : base("namespace", manager.Loggers.CreateLogger("namespace-controller"))
    {
        _client = (Kubernetes)manager.Client;
        _namespaces = manager.Informers.For(ResourceTypes.Namespaces);
        _namespaces.AddEventHandler(onAdd: ns => EnqueueIfDeleting(ns), onUpdate: (_, ns) => EnqueueIfDeleting(ns));
    }

    /// <summary>The resources known from discovery; null rediscovers on each sync (tests set them).</summary>
    public IReadOnlyList<ApiResource>? Resources { get; set; }

    protected override Task<bool> WaitForCacheSyncAsync(CancellationToken ct) => _namespaces.WaitForCacheSyncAsync(ct);

    private void EnqueueIfDeleting(V1Namespace ns)
    {
        if (ns.Metadata.DeletionTimestamp != null)
        {
            Enqueue(ns.Metadata.Name);
        }
    }

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var ns = _namespaces.Indexer.GetByKey(key);
        if (ns?.Metadata.DeletionTimestamp == null || ns.Spec?.Finalizers?.Contains(KubernetesFinalizer) != true)
        {
            return;
        }
        // Discovery on every sync, as upstream does: a resource served since the last one must be emptied too.
        var resources = Resources ?? await ApiResources.DiscoverAsync(_client, ct);
        var totals = new NamespaceConditions.Totals();
        foreach (var r in resources.Where(r => r.Namespaced && r.Can("list", "deletecollection")))
        {
            await DeleteContentAsync(r, key, totals, ct);
        }
        // From the cache, copied; a stale resourceVersion conflicts and the sync is retried.
        var current = KubernetesJson.Deserialize<V1Namespace>(KubernetesJson.Serialize(ns));
        current.Status ??= new V1NamespaceStatus();
        if (NamespaceConditions.Apply(current.Status, NamespaceConditions.From(totals, DateTime.UtcNow)))
        {
            current = await _client.CoreV1.ReplaceNamespaceStatusAsync(current, key, cancellationToken: ct);
        }
        if (totals.Errors.Count > 0)
        {
            throw new InvalidOperationException($"namespace {key}: {string.Join("; ", totals.Errors)}");
        }
        if (totals.Remaining.Count > 0)
        {
            // Objects held by finalizers or still terminating: look again soon.
            EnqueueAfter(key, RecheckDelay);
            return;
        }
        current.Spec.Finalizers = current.Spec.Finalizers.Where(f => f != KubernetesFinalizer).ToList();
        await _client.CoreV1.ReplaceNamespaceFinalizeAsync(current, key, cancellationToken: ct);
        LogFinalized(Logger, key);
    }

    /// <summary>Deletes one resource's objects in the namespace as a collection, then counts what is left.</summary>
    private async Task DeleteContentAsync(ApiResource r, string ns, NamespaceConditions.Totals totals, CancellationToken ct)
    {
        var path = r.CollectionPath(ns);
        try
        {
            await ApiResources.SendAsync(_client, HttpMethod.Delete, path, Background, "application/json", ct);
            using var list = JsonDocument.Parse(await ApiResources.SendAsync(_client, HttpMethod.Get, path, null, null, ct));
            if (!list.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
            {
                return;
            }
            totals.Remaining[$"{r.Plural}.{r.Group}"] = items.GetArrayLength();
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("finalizers", out var finalizers) && finalizers.ValueKind == JsonValueKind.Array)
                {
                    foreach (var f in finalizers.EnumerateArray().Select(f => f.GetString() ?? "").Distinct())
                    {
                        totals.Finalizers[f] = totals.Finalizers.GetValueOrDefault(f) + 1;
                    }
                }
            }
        }
        catch (ApiStatusException e)
        {
            totals.Errors.Add($"{r.Plural}.{r.Group}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "namespace {Namespace}: content deleted, finalized")]
    private static partial void LogFinalized(ILogger logger, string @namespace);
}
