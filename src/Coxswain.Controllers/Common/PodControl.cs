using Coxswain.Client.Events;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Common;

/// <summary>
/// Creates and deletes a controller's pods through the API and records the events upstream's PodControl records
/// (SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete on the owner).
/// </summary>
public sealed class PodControl(IKubernetes client, EventRecorder events)
{
    /// <summary>
    /// Creates a pod from <paramref name="template"/> owned by <paramref name="owner"/> (upstream GetPodFromTemplate):
    /// the template's labels, annotations, finalizers and spec, generateName "&lt;owner&gt;-" unless
    /// <paramref name="name"/> is given (StatefulSets name their pods).
    /// </summary>
    public async Task<V1Pod> CreateAsync(IKubernetesObject<V1ObjectMeta> owner, V1PodTemplateSpec template, V1OwnerReference controllerRef,
        CancellationToken ct, string? name = null, Action<V1Pod>? customize = null)
    {
        var pod = FromTemplate(owner, template, controllerRef, name);
        customize?.Invoke(pod);
        try
        {
            var created = await client.CoreV1.CreateNamespacedPodAsync(pod, owner.Metadata.NamespaceProperty, cancellationToken: ct);
            events.Event(owner, "Normal", "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
            return created;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            events.Event(owner, "Warning", "FailedCreate", $"Error creating: {ApiErrors.Message(e)}");
            throw;
        }
    }

    public static V1Pod FromTemplate(IKubernetesObject<V1ObjectMeta> owner, V1PodTemplateSpec template, V1OwnerReference controllerRef, string? name = null)
    {
        var meta = template.Metadata;
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                GenerateName = name == null ? owner.Metadata.Name + "-" : null,
                NamespaceProperty = owner.Metadata.NamespaceProperty,
                Labels = meta?.Labels == null ? null : new Dictionary<string, string>(meta.Labels),
                Annotations = meta?.Annotations == null ? null : new Dictionary<string, string>(meta.Annotations),
                Finalizers = meta?.Finalizers == null ? null : [.. meta.Finalizers],
                OwnerReferences = [controllerRef],
            },
            // A deep copy: the template belongs to the informer's cached owner.
            Spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec)),
        };
    }

    /// <summary>Deletes a pod; false if it was already gone.</summary>
    public async Task<bool> DeleteAsync(IKubernetesObject<V1ObjectMeta> owner, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            events.Event(owner, "Normal", "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            return true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            events.Event(owner, "Warning", "FailedDelete", $"Error deleting: {ApiErrors.Message(e)}");
            throw;
        }
    }

    /// <summary>A strategic merge patch of a pod (adoption and release use it).</summary>
    public Task PatchAsync(string ns, string name, string strategicMergePatch, CancellationToken ct) =>
        client.CoreV1.PatchNamespacedPodAsync(new V1Patch(strategicMergePatch, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: ct);
}
