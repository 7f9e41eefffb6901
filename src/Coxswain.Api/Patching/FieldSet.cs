using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

/// <summary>
/// A set of field paths stored as a tree (structured-merge-diff's <c>fieldpath.Set</c>): at each
/// level the path elements that are members (paths ending there) and the children (paths going on).
/// Serialized as FieldsV1: <c>{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}</c>.
/// </summary>
internal sealed class FieldSet
{
    private readonly SortedSet<PathElement> _members = [];
    private readonly SortedDictionary<PathElement, FieldSet> _children = [];

    public IReadOnlyCollection<PathElement> Members => _members;

    public IReadOnlyDictionary<PathElement, FieldSet> Children => _children;

    public bool Empty => _members.Count == 0 && _children.Values.All(c => c.Empty);

    public static FieldSet Of(params PathElement[][] paths)
    {
        var set = new FieldSet();
        foreach (var path in paths)
        {
            set.Insert(path);
        }
        return set;
    }

    public void Insert(IReadOnlyList<PathElement> path)
    {
        if (path.Count == 0)
        {
            return;
        }
        var node = this;
        for (var i = 0; i < path.Count - 1; i++)
        {
            node = node.Descend(path[i]);
        }
        node._members.Add(path[^1]);
    }

    private FieldSet Descend(PathElement pe)
    {
        if (!_children.TryGetValue(pe, out var child))
        {
            _children[pe] = child = new FieldSet();
        }
        return child;
    }

    public bool Has(IReadOnlyList<PathElement> path)
    {
        if (path.Count == 0)
        {
            return false;
        }
        var node = this;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (!node._children.TryGetValue(path[i], out node))
            {
                return false;
            }
        }
        return node._members.Contains(path[^1]);
    }

    public bool HasMember(PathElement pe) => _members.Contains(pe);

    /// <summary>The paths under <paramref name="pe"/>, without it (empty when none).</summary>
    public FieldSet WithPrefix(PathElement pe) => _children.TryGetValue(pe, out var child) ? child : new FieldSet();

    public FieldSet Copy()
    {
        var copy = new FieldSet();
        copy._members.UnionWith(_members);
        foreach (var (pe, child) in _children)
        {
            copy._children[pe] = child.Copy();
        }
        return copy;
    }

    public FieldSet Union(FieldSet other)
    {
        var result = Copy();
        result._members.UnionWith(other._members);
        foreach (var (pe, child) in other._children)
        {
            result._children[pe] = result._children.TryGetValue(pe, out var mine) ? mine.Union(child) : child.Copy();
        }
        return result;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet();
        result._members.UnionWith(_members.Where(other._members.Contains));
        foreach (var (pe, child) in _children)
        {
            if (other._children.TryGetValue(pe, out var theirs))
            {
                var both = child.Intersection(theirs);
                if (!both.Empty)
                {
                    result._children[pe] = both;
                }
            }
        }
        return result;
    }

    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet();
        result._members.UnionWith(_members.Where(m => !other._members.Contains(m)));
        foreach (var (pe, child) in _children)
        {
            var rest = other._children.TryGetValue(pe, out var theirs) ? child.Difference(theirs) : child.Copy();
            if (!rest.Empty)
            {
                result._children[pe] = rest;
            }
        }
        return result;
    }

    /// <summary>Removes every path of this set that is in <paramref name="other"/> or below one of its members.</summary>
    public FieldSet RecursiveDifference(FieldSet other)
    {
        var result = new FieldSet();
        result._members.UnionWith(_members.Where(m => !other._members.Contains(m)));
        foreach (var (pe, child) in _children)
        {
            if (other._members.Contains(pe))
            {
                continue;
            }
            var rest = other._children.TryGetValue(pe, out var theirs) ? child.RecursiveDifference(theirs) : child.Copy();
            if (!rest.Empty)
            {
                result._children[pe] = rest;
            }
        }
        return result;
    }

    /// <summary>Every path: the members of a level first, then the children's paths, in order.</summary>
    public IEnumerable<PathElement[]> Paths() => Paths([]);

    private IEnumerable<PathElement[]> Paths(PathElement[] prefix)
    {
        foreach (var m in _members)
        {
            yield return [.. prefix, m];
        }
        foreach (var (pe, child) in _children)
        {
            foreach (var p in child.Paths([.. prefix, pe]))
            {
                yield return p;
            }
        }
    }

    /// <summary>The FieldsV1 JSON: members and children merged in path element order, "." first.</summary>
    public JsonObject ToJson()
    {
        var obj = new JsonObject();
        Emit(obj, false);
        return obj;
    }

    private void Emit(JsonObject obj, bool isMember)
    {
        if (isMember)
        {
            obj["."] = new JsonObject();
        }
        var keys = new SortedSet<PathElement>(_members);
        keys.UnionWith(_children.Where(c => !c.Value.Empty).Select(c => c.Key));
        foreach (var pe in keys)
        {
            var inner = new JsonObject();
            if (_children.TryGetValue(pe, out var child) && !child.Empty)
            {
                child.Emit(inner, _members.Contains(pe));
            }
            obj[pe.Serialized] = inner;
        }
    }

    /// <summary>Reads FieldsV1 JSON. Keys of unknown kinds are skipped, as upstream does.</summary>
    public static FieldSet FromJson(JsonObject json)
    {
        var set = new FieldSet();
        Read(json, set);
        return set;
    }

    private static void Read(JsonObject json, FieldSet into)
    {
        foreach (var (key, value) in json)
        {
            if (key == ".")
            {
                continue;
            }
            var pe = PathElement.Parse(key);
            if (pe == null)
            {
                continue;
            }
            var inner = value as JsonObject ?? throw new FormatException($"expected an object for \"{key}\"");
            var child = new FieldSet();
            Read(inner, child);
            if (child.Empty || inner.ContainsKey("."))
            {
                into._members.Add(pe);
            }
            if (!child.Empty)
            {
                into._children[pe] = into._children.TryGetValue(pe, out var existing) ? existing.Union(child) : child;
            }
        }
    }

    public override string ToString() => ToJson().ToJsonString();
}
