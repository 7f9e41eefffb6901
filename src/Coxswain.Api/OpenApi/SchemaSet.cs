using Coxswain.Api.Schema;
using k8s.Models;

namespace Coxswain.Api.OpenApi;

/// <summary>One definition of a document: a reflected model or one of the hand-written scalars.</summary>
internal sealed class SchemaEntry
{
    public SchemaEntry(string name, TypeSchema? model)
    {
        Name = name;
        Model = model;
    }

    public string Name { get; }

    /// <summary>The reflected model, or null for a built-in (Quantity, Time, ...).</summary>
    public TypeSchema? Model { get; }

    /// <summary>The kinds this definition is (x-kubernetes-group-version-kind).</summary>
    public List<GroupVersionKind> Gvks { get; } = [];
}

/// <summary>
/// The definitions a document needs: every model reachable from its kinds, sorted by name as
/// upstream's documents are.
/// </summary>
internal sealed class SchemaSet
{
    private readonly SortedDictionary<string, SchemaEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _names = [];

    public IEnumerable<SchemaEntry> Entries => _entries.Values;

    public bool Contains(string name) => _entries.ContainsKey(name);

    public SchemaEntry? Find(string name) => _entries.GetValueOrDefault(name);

    /// <summary>Adds a model and everything it uses; returns its definition name.</summary>
    public string Add(Type modelType) => Add(ModelSchemas.For(modelType));

    /// <summary>Adds an object schema and everything it uses; returns its definition name.</summary>
    public string Add(TypeSchema model) => Visit(model, null, null)!;

    /// <summary>Adds a model and marks it as the given kind.</summary>
    public void AddKind(Type modelType, GroupVersionKind gvk)
    {
        var entry = _entries[Add(modelType)];
        if (!entry.Gvks.Contains(gvk))
        {
            entry.Gvks.Add(gvk);
        }
    }

    /// <summary>The definition name of a model type.</summary>
    public string NameOf(Type modelType)
    {
        if (modelType == typeof(V1Patch))
        {
            return DefinitionNames.Patch;
        }
        if (!_names.TryGetValue(modelType, out var name))
        {
            name = DefinitionNames.For(modelType);
            _names[modelType] = name;
        }
        return name;
    }

    /// <summary>
    /// The definition a value of this schema refers to, or null when it is written inline
    /// (strings, numbers, arrays, maps). <paramref name="owner"/> and <paramref name="property"/>
    /// tell MicroTime from Time and FieldsV1 from RawExtension.
    /// </summary>
    public string? RefOf(TypeSchema t, TypeSchema? owner, string? property) => t.Kind switch
    {
        SchemaKind.Object => NameOf(t.ClrType),
        SchemaKind.Quantity => DefinitionNames.Quantity,
        SchemaKind.IntOrString => DefinitionNames.IntOrString,
        SchemaKind.Time => IsMicroTime(owner, property) ? DefinitionNames.MicroTime : DefinitionNames.Time,
        SchemaKind.Any => property == "fieldsV1" ? DefinitionNames.FieldsV1 : DefinitionNames.RawExtension,
        _ => null,
    };

    private string? Visit(TypeSchema t, TypeSchema? owner, string? property)
    {
        switch (t.Kind)
        {
            case SchemaKind.Array:
            case SchemaKind.Map:
                if (t.Items != null)
                {
                    Visit(t.Items, owner, property);
                }
                return null;
            case SchemaKind.Object:
                var name = NameOf(t.ClrType);
                if (_entries.ContainsKey(name))
                {
                    return name;
                }
                if (t.ClrType == typeof(V1Patch))
                {
                    _entries[name] = new SchemaEntry(name, null);
                    return name;
                }
                _entries[name] = new SchemaEntry(name, t);
                foreach (var p in t.Properties.Values)
                {
                    Visit(p.Type, t, p.Name);
                }
                return name;
            default:
                var builtin = RefOf(t, owner, property);
                if (builtin != null && !_entries.ContainsKey(builtin))
                {
                    _entries[builtin] = new SchemaEntry(builtin, null);
                }
                return builtin;
        }
    }

    /// <summary>Upstream's metav1.MicroTime fields (the models map them to DateTime like Time).</summary>
    private static bool IsMicroTime(TypeSchema? owner, string? property) => (owner?.ModelName, property) switch
    {
        ("Corev1Event" or "Eventsv1Event", "eventTime") => true,
        ("Corev1EventSeries" or "Eventsv1EventSeries", "lastObservedTime") => true,
        ("V1LeaseSpec", "acquireTime" or "renewTime") => true,
        _ => false,
    };
}
