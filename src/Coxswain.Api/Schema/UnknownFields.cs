using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coxswain.Api.Schema;

/// <summary>
/// Finds the fields of a request body that its kind's schema does not know, and the fields given
/// twice, worded as upstream's strict decoding does: <c>unknown field "spec.containers[0].bogus"</c>,
/// <c>duplicate field "spec.replicas"</c>. With <c>fieldValidation=Strict</c> the server rejects a
/// body with any of them (400 <c>strict decoding error: ...</c>); with <c>Warn</c> it sends each as
/// a <c>Warning</c> header.
/// </summary>
/// <remarks>
/// <c>apiVersion</c>, <c>kind</c> and <c>metadata</c> are always known at the top level; maps
/// and free-form values (RawExtension, FieldsV1) accept any keys; values of the wrong JSON type
/// are not this check's business and are skipped. Schemas are compiled once into lookup tables,
/// so walking a typical pod costs a few microseconds.
/// </remarks>
public static class UnknownFields
{
    private static readonly ConcurrentDictionary<TypeSchema, Node> Compiled = new(ReferenceEqualityComparer.Instance);
    private static readonly object CompileLock = new();
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    [ThreadStatic]
    private static Walk? _cachedWalk;

    /// <summary>The problems of a UTF-8 JSON body, in document order; empty when there are none.</summary>
    /// <remarks>Reads the raw bytes, so it also finds duplicate fields (a parsed JsonNode has lost them).</remarks>
    /// <exception cref="JsonException">The body is not well-formed JSON.</exception>
    public static IReadOnlyList<string> Find(ReadOnlySpan<byte> utf8Json, TypeSchema schema)
    {
        var root = Compile(schema);
        var walk = Rent();
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (reader.Read())
            {
                walk.Value(ref reader, root, isRoot: true);
            }
            return walk.TakeProblems();
        }
        finally
        {
            Return(walk);
        }
    }

    /// <summary>The unknown fields of a parsed body (duplicates cannot be seen any more).</summary>
    public static IReadOnlyList<string> Find(JsonNode? body, TypeSchema schema)
    {
        var root = Compile(schema);
        var walk = Rent();
        try
        {
            walk.Value(body, root, isRoot: true);
            return walk.TakeProblems();
        }
        finally
        {
            Return(walk);
        }
    }

    private static Walk Rent()
    {
        var walk = _cachedWalk ?? new Walk();
        _cachedWalk = null;
        return walk;
    }

    private static void Return(Walk walk)
    {
        walk.Reset();
        _cachedWalk = walk;
    }

    private static Node Compile(TypeSchema schema)
    {
        if (Compiled.TryGetValue(schema, out var node))
        {
            return node;
        }
        lock (CompileLock)
        {
            // Nodes are published only once the whole tree is built, so a walk on another
            // thread never meets a node whose fields are not filled in yet.
            var pending = new Dictionary<TypeSchema, Node>(ReferenceEqualityComparer.Instance);
            node = CompileLocked(schema, pending);
            foreach (var (s, n) in pending)
            {
                Compiled.TryAdd(s, n);
            }
            return node;
        }
    }

    private static Node CompileLocked(TypeSchema schema, Dictionary<TypeSchema, Node> pending)
    {
        if (Compiled.TryGetValue(schema, out var node) || pending.TryGetValue(schema, out node))
        {
            return node;
        }
        node = new Node(schema.Kind);
        pending[schema] = node;
        switch (schema.Kind)
        {
            case SchemaKind.Object:
                var fields = new Dictionary<string, Field>(schema.Properties.Count, StringComparer.Ordinal);
                var index = 0;
                foreach (var (name, property) in schema.Properties)
                {
                    fields[name] = new Field(name, index++, CompileLocked(property.Type, pending));
                }
                node.SetFields(fields);
                break;
            case SchemaKind.Array:
            case SchemaKind.Map:
                node.Items = schema.Items == null ? Node.Leaf : CompileLocked(schema.Items, pending);
                break;
        }
        return node;
    }

    private sealed class Field(string name, int index, Node node)
    {
        public string Name { get; } = name;
        public int Index { get; } = index;
        public Node Node { get; } = node;
    }

    /// <summary>A schema compiled for the walk: field tables for objects, element nodes for arrays and maps.</summary>
    private sealed class Node(SchemaKind kind)
    {
        public static readonly Node Leaf = new(SchemaKind.Any);

        public SchemaKind Kind { get; } = kind;
        public Node Items { get; set; } = Leaf;
        public int FieldCount { get; private set; }
        public Dictionary<string, Field>? Fields { get; private set; }
        public Dictionary<string, Field>.AlternateLookup<ReadOnlySpan<char>> ByChars { get; private set; }

        /// <summary>Whether values here may hold fields to check (objects, and lists or maps of them).</summary>
        public bool HasFields => Kind switch
        {
            SchemaKind.Object => true,
            SchemaKind.Array => Items.HasFields,
            SchemaKind.Map => true, // keys are checked for duplicates
            _ => false,
        };

        public void SetFields(Dictionary<string, Field> fields)
        {
            Fields = fields;
            FieldCount = fields.Count;
            ByChars = fields.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>The state of one walk: the path to the current value and the problems found.</summary>
    private sealed class Walk
    {
        private const int MaxStackName = 256;

        /// <summary>The current property name, unescaped (a UTF-8 name of n bytes has at most n chars).</summary>
        private readonly char[] _chars = new char[MaxStackName];
        private string?[] _names = new string?[16];
        private int[] _indexes = new int[16];
        private int _depth;
        private List<string>? _problems;

        public IReadOnlyList<string> TakeProblems()
        {
            var problems = _problems;
            _problems = null;
            return problems ?? (IReadOnlyList<string>)[];
        }

        public void Reset()
        {
            System.Array.Clear(_names, 0, _depth);
            _depth = 0;
            _problems = null;
        }

        // ---- UTF-8 reader walk ----

        public void Value(ref Utf8JsonReader r, Node node, bool isRoot = false)
        {
            switch (node.Kind)
            {
                case SchemaKind.Object when r.TokenType == JsonTokenType.StartObject:
                    Object(ref r, node, isRoot);
                    break;
                case SchemaKind.Array when r.TokenType == JsonTokenType.StartArray && node.Items.HasFields:
                    List(ref r, node.Items);
                    break;
                case SchemaKind.Map when r.TokenType == JsonTokenType.StartObject:
                    Map(ref r, node.Items);
                    break;
                default:
                    r.Skip();
                    break;
            }
        }

        private void Object(ref Utf8JsonReader r, Node node, bool isRoot)
        {
            var words = (node.FieldCount + 63) >> 6;
            Span<ulong> seen = words <= 4 ? stackalloc ulong[4] : new ulong[words];
            seen.Clear();
            List<string>? unknown = null;
            var chars = _chars.AsSpan();
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                Field? field = null;
                string? name = null;
                var written = 0;
                var length = r.HasValueSequence ? (int)r.ValueSequence.Length : r.ValueSpan.Length;
                if (length <= MaxStackName)
                {
                    written = r.CopyString(chars);
                    node.ByChars.TryGetValue(chars[..written], out field);
                }
                else
                {
                    name = r.GetString()!;
                    field = node.Fields?.GetValueOrDefault(name);
                }
                r.Read();
                if (field != null)
                {
                    var bit = 1UL << (field.Index & 63);
                    ref var word = ref seen[field.Index >> 6];
                    if ((word & bit) != 0)
                    {
                        Report("duplicate field", field.Name);
                    }
                    word |= bit;
                    if (field.Node.HasFields)
                    {
                        Push(field.Name);
                        Value(ref r, field.Node);
                        Pop();
                    }
                    else
                    {
                        r.Skip();
                    }
                    continue;
                }
                name ??= new string(chars[..written]);
                r.Skip();
                if (isRoot && IsAlwaysKnown(name))
                {
                    continue;
                }
                unknown ??= [];
                Report(unknown.Contains(name) ? "duplicate field" : "unknown field", name);
                unknown.Add(name);
            }
        }

        private void List(ref Utf8JsonReader r, Node items)
        {
            var i = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                Push(i++);
                Value(ref r, items);
                Pop();
            }
        }

        private void Map(ref Utf8JsonReader r, Node values)
        {
            KeySet keys = default;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var key = r.GetString()!;
                r.Read();
                if (!keys.Add(key))
                {
                    Report("duplicate field", key);
                }
                if (values.HasFields)
                {
                    Push(key);
                    Value(ref r, values);
                    Pop();
                }
                else
                {
                    r.Skip();
                }
            }
        }

        // ---- JsonNode walk ----

        public void Value(JsonNode? value, Node node, bool isRoot = false)
        {
            switch (node.Kind)
            {
                case SchemaKind.Object when value is JsonObject obj:
                    foreach (var (name, child) in obj)
                    {
                        if (node.Fields != null && node.Fields.TryGetValue(name, out var field))
                        {
                            if (field.Node.HasFields)
                            {
                                Push(field.Name);
                                Value(child, field.Node);
                                Pop();
                            }
                        }
                        else if (!(isRoot && IsAlwaysKnown(name)))
                        {
                            Report("unknown field", name);
                        }
                    }
                    break;
                case SchemaKind.Array when value is JsonArray array && node.Items.HasFields:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Push(i);
                        Value(array[i], node.Items);
                        Pop();
                    }
                    break;
                case SchemaKind.Map when value is JsonObject map && node.Items.HasFields:
                    foreach (var (key, child) in map)
                    {
                        Push(key);
                        Value(child, node.Items);
                        Pop();
                    }
                    break;
            }
        }

        // ---- path and problems ----

        private static bool IsAlwaysKnown(string name) => name is "apiVersion" or "kind" or "metadata";

        private void Push(string name)
        {
            Grow();
            _names[_depth++] = name;
        }

        private void Push(int index)
        {
            Grow();
            _names[_depth] = null;
            _indexes[_depth++] = index;
        }

        private void Pop() => _names[--_depth] = null;

        private void Grow()
        {
            if (_depth == _names.Length)
            {
                System.Array.Resize(ref _names, _depth * 2);
                System.Array.Resize(ref _indexes, _depth * 2);
            }
        }

        private void Report(string what, string name)
        {
            var sb = new StringBuilder(what.Length + 32);
            sb.Append(what).Append(" \"");
            for (var i = 0; i < _depth; i++)
            {
                if (_names[i] is { } segment)
                {
                    if (i > 0)
                    {
                        sb.Append('.');
                    }
                    sb.Append(segment);
                }
                else
                {
                    sb.Append('[').Append(_indexes[i]).Append(']');
                }
            }
            if (_depth > 0)
            {
                sb.Append('.');
            }
            sb.Append(name).Append('"');
            (_problems ??= []).Add(sb.ToString());
        }
    }

    /// <summary>The keys of one map: a short array, then a hash set for big maps.</summary>
    private struct KeySet
    {
        private string[]? _small;
        private int _count;
        private HashSet<string>? _big;

        /// <summary>Adds a key; false if it was there already.</summary>
        public bool Add(string key)
        {
            if (_big != null)
            {
                return _big.Add(key);
            }
            _small ??= new string[8];
            for (var i = 0; i < _count; i++)
            {
                if (_small[i] == key)
                {
                    return false;
                }
            }
            if (_count == _small.Length)
            {
                _big = new HashSet<string>(_small, StringComparer.Ordinal);
                return _big.Add(key);
            }
            _small[_count++] = key;
            return true;
        }
    }
}
