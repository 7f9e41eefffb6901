using k8s;
using k8s.Models;

namespace Coxswain.Client.Cache;

/// <summary>
/// Read-only view of an informer's cache, what a controller's sync function reads instead of calling the API.
/// Returned objects are shared with the cache and other readers: copy before mutating.
/// </summary>
public sealed class Lister<T>(Indexer<T> indexer) where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The object <paramref name="ns"/>/<paramref name="name"/>, or null.</summary>
    public T? Get(string? ns, string name) => indexer.GetByKey(Indexer<T>.KeyOf(ns, name));

    /// <summary>A cluster-scoped object by name, or null.</summary>
    public T? Get(string name) => indexer.GetByKey(name);

    /// <summary>An object by cache key ("namespace/name" or "name"), as work queues carry it.</summary>
    public T? GetByKey(string key) => indexer.GetByKey(key);

    /// <summary>All objects (in all namespaces) whose labels match <paramref name="selector"/>; null selector = all.</summary>
    public List<T> List(V1LabelSelector? selector = null) => Filter(indexer.List(), selector);

    /// <summary>The objects of one namespace whose labels match <paramref name="selector"/>; null selector = all.</summary>
    public List<T> List(string ns, V1LabelSelector? selector = null) => Filter(indexer.ByIndex(Indexer<T>.NamespaceIndex, ns), selector);

    /// <summary>The objects for which <paramref name="predicate"/> holds.</summary>
    public List<T> List(Func<T, bool> predicate) => indexer.List().Where(predicate).ToList();

    /// <summary>The objects whose index <paramref name="indexName"/> contains <paramref name="value"/>.</summary>
    public List<T> ByIndex(string indexName, string value) => indexer.ByIndex(indexName, value);

    private static List<T> Filter(List<T> items, V1LabelSelector? selector)
    {
        if (selector == null)
        {
            return items;
        }
        items.RemoveAll(o => !LabelSelectors.Matches(selector, o.Metadata?.Labels));
        return items;
    }
}
