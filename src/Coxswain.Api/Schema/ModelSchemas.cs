using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Coxswain.Api.Schema;

/// <summary>
/// Builds <see cref="TypeSchema"/>s by reflection over the KubernetesClient models, with the
/// descriptions from the package's XML documentation, and applies the patch metadata table.
/// Schemas are built once per type and shared.
/// </summary>
public static class ModelSchemas
{
    /// <summary>Complete schemas only: readers never see one whose properties are still being filled.</summary>
    private static readonly ConcurrentDictionary<Type, TypeSchema> Cache = new();

    /// <summary>Schemas under construction (recursive types refer to them); guarded by BuildLock.</summary>
    private static readonly Dictionary<Type, TypeSchema> Pending = [];
    private static readonly Lazy<Dictionary<string, string>> Docs = new(LoadDocs);
    private static readonly object BuildLock = new();

    /// <summary>The schema of a model type (e.g. typeof(V1Pod)).</summary>
    public static TypeSchema For(Type clrType)
    {
        if (Cache.TryGetValue(clrType, out var cached))
        {
            return cached;
        }
        lock (BuildLock)
        {
            var schema = Build(clrType);
            foreach (var (type, built) in Pending)
            {
                Cache.TryAdd(type, built);
            }
            Pending.Clear();
            return schema;
        }
    }

    private static TypeSchema Build(Type type)
    {
        if (Cache.TryGetValue(type, out var existing) || Pending.TryGetValue(type, out existing))
        {
            return existing;
        }
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var scalar = Scalar(underlying);
        if (scalar != null)
        {
            Pending[type] = scalar;
            return scalar;
        }
        if (TryDictionary(underlying, out var valueType))
        {
            var map = new TypeSchema { Kind = SchemaKind.Map, ClrType = type };
            Pending[type] = map;
            map.Items = Build(valueType!);
            return map;
        }
        if (TryList(underlying, out var elementType))
        {
            var array = new TypeSchema { Kind = SchemaKind.Array, ClrType = type };
            Pending[type] = array;
            array.Items = Build(elementType!);
            return array;
        }
        if (underlying == typeof(object) || underlying.Namespace != "k8s.Models")
        {
            var any = new TypeSchema { Kind = SchemaKind.Any, ClrType = type };
            Pending[type] = any;
            return any;
        }

        var obj = new TypeSchema
        {
            Kind = SchemaKind.Object,
            ClrType = underlying,
            ModelName = underlying.Name,
            DocKey = "T:" + underlying.FullName,
        };
        Pending[type] = obj;
        var props = new Dictionary<string, PropertySchema>(StringComparer.Ordinal);
        foreach (var p in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var jsonName = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (jsonName == null)
            {
                continue;
            }
            props[jsonName] = new PropertySchema
            {
                Name = jsonName,
                Type = Build(p.PropertyType),
                DocKey = "P:" + underlying.FullName + "." + p.Name,
                Required = p.PropertyType.IsValueType && Nullable.GetUnderlyingType(p.PropertyType) == null,
            };
        }
        obj.Properties = props;
        PatchMetadata.Apply(obj);
        return obj;
    }

    private static TypeSchema? Scalar(Type t)
    {
        if (t == typeof(string))
        {
            return new TypeSchema { Kind = SchemaKind.String, ClrType = t };
        }
        if (t == typeof(bool))
        {
            return new TypeSchema { Kind = SchemaKind.Boolean, ClrType = t };
        }
        if (t == typeof(int))
        {
            return new TypeSchema { Kind = SchemaKind.Integer, ClrType = t, Format = "int32" };
        }
        if (t == typeof(long))
        {
            return new TypeSchema { Kind = SchemaKind.Integer, ClrType = t, Format = "int64" };
        }
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal))
        {
            return new TypeSchema { Kind = SchemaKind.Number, ClrType = t, Format = "double" };
        }
        if (t == typeof(DateTime) || t == typeof(DateTimeOffset))
        {
            return new TypeSchema { Kind = SchemaKind.Time, ClrType = t, Format = "date-time" };
        }
        if (t == typeof(byte[]))
        {
            return new TypeSchema { Kind = SchemaKind.Bytes, ClrType = t, Format = "byte" };
        }
        if (t == typeof(IntOrString) || t.Name == "IntstrIntOrString")
        {
            return new TypeSchema { Kind = SchemaKind.IntOrString, ClrType = t, Format = "int-or-string" };
        }
        if (t == typeof(ResourceQuantity))
        {
            return new TypeSchema { Kind = SchemaKind.Quantity, ClrType = t };
        }
        return null;
    }

    private static bool TryDictionary(Type t, out Type? valueType)
    {
        valueType = null;
        var dict = t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? t
            : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dict == null)
        {
            return false;
        }
        valueType = dict.GetGenericArguments()[1];
        return true;
    }

    private static bool TryList(Type t, out Type? elementType)
    {
        elementType = null;
        if (t == typeof(string) || t == typeof(byte[]))
        {
            return false;
        }
        var list = t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IList<>)
            ? t
            : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
        if (list == null)
        {
            return false;
        }
        elementType = list.GetGenericArguments()[0];
        return true;
    }

    internal static string? Doc(string member) => Docs.Value.GetValueOrDefault(member);

    /// <summary>Reads the &lt;summary&gt; of every member from KubernetesClient.xml.</summary>
    private static Dictionary<string, string> LoadDocs()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var location = typeof(V1Pod).Assembly.Location;
        var path = string.IsNullOrEmpty(location) ? null : Path.ChangeExtension(location, ".xml");
        if (path == null || !File.Exists(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, "KubernetesClient.xml");
        }
        if (!File.Exists(path))
        {
            return result;
        }
        // Stream the file: it is large, and a DOM of it would stay in the heap's high-water mark.
        using var reader = System.Xml.XmlReader.Create(path);
        while (reader.ReadToFollowing("member"))
        {
            var name = reader.GetAttribute("name");
            if (name == null || !(name.StartsWith("T:k8s.Models.", StringComparison.Ordinal) || name.StartsWith("P:k8s.Models.", StringComparison.Ordinal)))
            {
                continue;
            }
            using var member = reader.ReadSubtree();
            if (!member.ReadToDescendant("summary"))
            {
                continue;
            }
            var raw = member.ReadElementContentAsString();
            result[name] = string.Join("\n", raw.Split('\n').Select(l => l.Trim())).Trim();
        }
        return result;
    }
}
