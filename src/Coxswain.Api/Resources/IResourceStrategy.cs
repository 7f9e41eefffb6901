using Coxswain.Api.Errors;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Resources;

/// <summary>
/// The per-kind part of create and update, as upstream's registry strategies: defaulting and
/// validation of the typed object. Generic rules (metadata, status/spec split, generation,
/// name rules, immutable metadata) are applied by the API server for every kind; a strategy
/// only adds what is special to its kind.
/// </summary>
public interface IResourceStrategy
{
    /// <summary>Fills in upstream's defaults (runs on every write, like defaulting on decode).</summary>
    void Default(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>Field errors of a new object (metadata is validated generically).</summary>
    IEnumerable<FieldError> ValidateCreate(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>Field errors of an update, including changes to immutable fields.</summary>
    IEnumerable<FieldError> ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old);
}

/// <summary>A strategy that does nothing: for kinds with no special rules.</summary>
public sealed class NoStrategy : IResourceStrategy
{
    public static readonly NoStrategy Instance = new();

    public void Default(IKubernetesObject<V1ObjectMeta> obj)
    {
    }

    public IEnumerable<FieldError> ValidateCreate(IKubernetesObject<V1ObjectMeta> obj) => [];

    public IEnumerable<FieldError> ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old) => [];
}

/// <summary>Typed convenience base: override only what the kind needs.</summary>
public abstract class ResourceStrategy<T> : IResourceStrategy
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public virtual void Default(T obj)
    {
    }

    public virtual IEnumerable<FieldError> ValidateCreate(T obj) => [];

    public virtual IEnumerable<FieldError> ValidateUpdate(T obj, T old) => ValidateCreate(obj);

    void IResourceStrategy.Default(IKubernetesObject<V1ObjectMeta> obj) => Default((T)obj);

    IEnumerable<FieldError> IResourceStrategy.ValidateCreate(IKubernetesObject<V1ObjectMeta> obj) => ValidateCreate((T)obj);

    IEnumerable<FieldError> IResourceStrategy.ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old) =>
        ValidateUpdate((T)obj, (T)old);
}
