namespace Coxswain.Client.Cache;

/// <summary>
/// Receives an informer's notifications. Handlers run one at a time on the informer's loop, after the cache already
/// holds the change, so they must be quick: compute a key and enqueue it (see the work queue), never block or call
/// the API. Objects are shared with the cache: copy before mutating.
/// </summary>
public interface IResourceEventHandler<in T>
{
    /// <summary>An object appeared (from the initial list, a relist or a watch ADDED).</summary>
    void OnAdd(T obj);

    /// <summary>An object changed; also called with old == new for every cached object at each resync.</summary>
    void OnUpdate(T oldObj, T newObj);

    /// <summary>
    /// An object went away. <paramref name="finalStateUnknown"/> is true when the deletion was noticed by a relist
    /// (the watch missed it, e.g. after 410 Gone): <paramref name="obj"/> is then the last state the cache held, not
    /// the state at deletion (client-go's DeletedFinalStateUnknown).
    /// </summary>
    void OnDelete(T obj, bool finalStateUnknown);
}

/// <summary>An <see cref="IResourceEventHandler{T}"/> from delegates; any of them may be null.</summary>
public sealed class ResourceEventHandlerFuncs<T>(
    Action<T>? onAdd = null,
    Action<T, T>? onUpdate = null,
    Action<T, bool>? onDelete = null) : IResourceEventHandler<T>
{
    public void OnAdd(T obj) => onAdd?.Invoke(obj);
    public void OnUpdate(T oldObj, T newObj) => onUpdate?.Invoke(oldObj, newObj);
    public void OnDelete(T obj, bool finalStateUnknown) => onDelete?.Invoke(obj, finalStateUnknown);
}
