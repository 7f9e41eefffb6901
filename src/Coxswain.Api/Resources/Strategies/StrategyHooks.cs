using Coxswain.Api.Errors;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Optional create-time step of a strategy, as upstream's registry PrepareForCreate: the API
/// server calls it on create after it has assigned uid, creationTimestamp and the generated name
/// and reset the client's status, and before validation. Used for what only a new object gets
/// (pod phase Pending and QoS class, the namespace "kubernetes" finalizer, a Job's generated
/// selector, PV/PVC phase transition times).
/// </summary>
public interface IPrepareForCreate
{
    void PrepareForCreate(IKubernetesObject<V1ObjectMeta> obj);
}

/// <summary>
/// Optional update-time step of a strategy, as upstream's PrepareForUpdate: the API server calls
/// it on a normal (main resource) update before validation, after keeping the old status.
/// Subresource writes (status, finalize, scale, binding) do not call it.
/// </summary>
public interface IPrepareForUpdate
{
    void PrepareForUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old);
}

/// <summary>
/// The typed base of every built-in strategy: defaulting and validation from
/// <see cref="ResourceStrategy{T}"/> plus the optional create and update preparation steps.
/// Validation methods build their whole list eagerly, so side effects (such as a Job's selector
/// generation) happen even if the caller only counts the errors.
/// </summary>
public abstract class KindStrategy<T> : ResourceStrategy<T>, IPrepareForCreate, IPrepareForUpdate
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public virtual void PrepareForCreate(T obj)
    {
    }

    public virtual void PrepareForUpdate(T obj, T old)
    {
    }

    /// <summary>Update validation; by default the create rules applied to the new object.</summary>
    public override IEnumerable<FieldError> ValidateUpdate(T obj, T old) => ValidateCreate(obj);

    void IPrepareForCreate.PrepareForCreate(IKubernetesObject<V1ObjectMeta> obj) => PrepareForCreate((T)obj);

    void IPrepareForUpdate.PrepareForUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old) =>
        PrepareForUpdate((T)obj, (T)old);
}
