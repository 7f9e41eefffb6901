using k8s;
using k8s.Models;

namespace Coxswain.Client.Cache;

/// <summary>Computes the index values of one object (e.g. a pod's node name). Empty means "not indexed".</summary>
public delegate IEnumerable<string> IndexFunc<in T>(T obj);

/// <summary>
/// The informer's thread-safe, indexed object cache (client-go's ThreadSafeStore + Indexer). Keys are
/// "namespace/name" (or "name" for cluster-scoped objects). Every write updates the items and all indices under
/// one lock, so readers never see an object without its index entries or the other way around.
/// <para>
/// Objects returned from the cache are shared with every other reader: callers must deep-copy before mutating
/// (e.g. serialize/deserialize, or build a new object), exactly as with client-go.
/// </para>
/// </summary>
public sealed class Indexer<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The built-in index of objects by namespace.</summary>
    public const string NamespaceIndex = "namespace";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexFunc<T>> _indexers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);

    public Indexer()
    {
        AddIndexer(NamespaceIndex, o => string.IsNullOrEmpty(o.Metadata?.NamespaceProperty) ? [] : [o.Metadata.NamespaceProperty]);
    }

    /// <summary>The cache key of an object: "namespace/name", or "name" when it has no namespace.</summary>
    public static string KeyOf(T obj) => KeyOf(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? "");

    /// <summary>The cache key for a namespace (null or empty for cluster-scoped) and a name.</summary>
    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>Splits a key back into namespace ("" when cluster-scoped) and name.</summary>
    public static (string Namespace, string Name) SplitKey(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Adds a named index. Existing items are indexed at once, so it is safe at any time.</summary>
    public void AddIndexer(string name, IndexFunc<T> func)
    {
        if (!TryAddIndexer(name, func))
        {
            throw new InvalidOperationException($"indexer {name} already exists");
        }
    }

    /// <summary>Adds the index unless one of that name exists (components sharing an informer agree on names).</summary>
    public bool TryAddIndexer(string name, IndexFunc<T> func)
    {
        lock (_lock)
        {
            if (!_indexers.TryAdd(name, func))
            {
                return false;
            }
            var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            _indices[name] = index;
            foreach (var (key, obj) in _items)
            {
                foreach (var value in func(obj))
                {
                    Bucket(index, value).Add(key);
                }
            }
        }
        return true;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public T? GetByKey(string key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    /// <summary>A snapshot of all objects.</summary>
    public List<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>A snapshot of all keys.</summary>
    public List<string> ListKeys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>The objects whose index <paramref name="indexName"/> contains <paramref name="value"/>.</summary>
    public List<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indices.TryGetValue(indexName, out var index))
            {
                throw new KeyNotFoundException($"no indexer named {indexName}");
            }
            var result = new List<T>();
            if (index.TryGetValue(value, out var keys))
            {
                foreach (var key in keys)
                {
                    result.Add(_items[key]);
                }
            }
            return result;
        }
    }

    /// <summary>Adds or replaces an object; returns the previous one (null if it is new).</summary>
    public T? Upsert(T obj)
    {
        var key = KeyOf(obj);
        lock (_lock)
        {
            _items.TryGetValue(key, out var old);
            if (old != null)
            {
                Unindex(key, old);
            }
            _items[key] = obj;
            Index(key, obj);
            return old;
        }
    }

    /// <summary>Removes an object by key; returns what was cached (null if nothing).</summary>
    public T? Delete(string key)
    {
        lock (_lock)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }
            Unindex(key, old);
            return old;
        }
    }

    private void Index(string key, T obj)
    {
        foreach (var (name, func) in _indexers)
        {
            var index = _indices[name];
            foreach (var value in func(obj))
            {
                Bucket(index, value).Add(key);
            }
        }
    }

    private void Unindex(string key, T obj)
    {
        foreach (var (name, func) in _indexers)
        {
            var index = _indices[name];
            foreach (var value in func(obj))
            {
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    index.Remove(value);
                }
            }
        }
    }

    private static HashSet<string> Bucket(Dictionary<string, HashSet<string>> index, string value)
    {
        if (!index.TryGetValue(value, out var keys))
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            index[value] = keys;
        }
        return keys;
    }
}

/// <summary>Indexes that several components use, under one name each so that a shared informer builds them once.</summary>
public static class PodIndexes
{
    /// <summary>Pods by spec.nodeName (unbound pods are in no bucket).</summary>
    public const string ByNodeName = "spec.nodeName";

    public static IEnumerable<string> NodeNameOf(V1Pod pod) => string.IsNullOrEmpty(pod.Spec?.NodeName) ? [] : [pod.Spec.NodeName];

    /// <summary>Adds <see cref="ByNodeName"/> to the informer's cache unless it is there.</summary>
    public static void EnsureByNodeName(SharedInformer<V1Pod> pods) => pods.Indexer.TryAddIndexer(ByNodeName, NodeNameOf);
}
