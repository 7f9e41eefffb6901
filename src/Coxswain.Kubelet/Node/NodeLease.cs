using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Coxswain.Kubelet.Node;

/// <summary>
/// A node's heartbeat Lease in kube-node-lease, as upstream's node lease controller keeps it: created on first use
/// (owned by the Node, so it goes with it), then renewed with one PUT of the last copy; a conflict or a missing
/// lease reads it again. Shared by real and simulated nodes.
/// </summary>
public sealed class NodeLease(IKubernetes client, string nodeName, int durationSeconds)
{
    public const string Namespace = "kube-node-lease";

    private V1Lease? _lease;

    /// <summary>The Node's uid, for the lease's owner reference; set once the Node is registered.</summary>
    public string? NodeUid { get; set; }

    /// <summary>The lease as last written.</summary>
    public V1Lease? Current => _lease;

    public async Task RenewAsync(DateTime now, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var lease = _lease ?? await GetOrCreateAsync(now, ct);
                lease.Spec ??= new V1LeaseSpec();
                lease.Spec.HolderIdentity = nodeName;
                lease.Spec.LeaseDurationSeconds = durationSeconds;
                lease.Spec.RenewTime = now;
                if (lease.Metadata.OwnerReferences is not { Count: > 0 } && NodeUid is not null)
                {
                    lease.Metadata.OwnerReferences = [Owner()];
                }
                _lease = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, nodeName, Namespace, cancellationToken: ct);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                _lease = null; // stale or removed: read it again
            }
        }
    }

    private V1OwnerReference Owner() => new() { ApiVersion = "v1", Kind = "Node", Name = nodeName, Uid = NodeUid };

    private async Task<V1Lease> GetOrCreateAsync(DateTime now, CancellationToken ct)
    {
        try
        {
            return await client.CoordinationV1.ReadNamespacedLeaseAsync(nodeName, Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            var lease = new V1Lease
            {
                Metadata = new V1ObjectMeta
                {
                    Name = nodeName,
                    NamespaceProperty = Namespace,
                    OwnerReferences = NodeUid is null ? null : [Owner()],
                },
                Spec = new V1LeaseSpec { HolderIdentity = nodeName, LeaseDurationSeconds = durationSeconds, RenewTime = now },
            };
            return await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, Namespace, cancellationToken: ct);
        }
    }
}
