namespace Coxswain.Api.Protobuf;

/// <summary>What a field (or a map value, or a list element) holds on the wire and in JSON.</summary>
internal enum ProtoType
{
    Double,
    Float,
    Int64,
    UInt64,
    Int32,
    UInt32,
    SInt32,
    SInt64,
    Bool,
    String,
    Bytes,
    Message,

    // apimachinery types with their own JSON forms
    Time,
    MicroTime,
    Duration,
    Quantity,
    IntOrString,
    RawExtension,
    FieldsV1,
}

/// <summary>One field of a message, from the table.</summary>
internal sealed class ProtoField
{
    public required int Number { get; init; }

    /// <summary>The JSON property name ("-" for an inline field).</summary>
    public required string JsonName { get; init; }

    /// <summary>The element type for a repeated field, the value type for a map.</summary>
    public required ProtoType Type { get; init; }

    /// <summary>The message type when <see cref="Type"/> is Message.</summary>
    public ProtoMessage? Message { get; internal set; }

    internal string? MessageName { get; init; }

    public bool Repeated { get; init; }

    /// <summary>A map: repeated entries {1: key, 2: value}; the key is <see cref="KeyType"/>.</summary>
    public bool IsMap { get; init; }

    public ProtoType KeyType { get; init; }

    /// <summary>Go pointer: presence is meaningful, a zero value is still emitted.</summary>
    public bool Pointer { get; init; }

    /// <summary>Go json omitempty: a zero value of a non-pointer scalar is left out of JSON.</summary>
    public bool OmitEmpty { get; init; }

    /// <summary>Go json ",inline": the message's fields are properties of the parent object.</summary>
    public bool Inline { get; init; }

    public override string ToString() => $"{Number} {JsonName} {Type}";
}

/// <summary>A message of the table, e.g. "apps/v1.Deployment".</summary>
internal sealed class ProtoMessage
{
    private ProtoField?[] _byNumber = [];

    public required string Name { get; init; }

    /// <summary>A named Go slice (ExtraValue, Verbs): {1: repeated items} on the wire, an array in JSON.</summary>
    public bool IsList { get; init; }

    /// <summary>Fields in ascending number order (the order Go writes them).</summary>
    public ProtoField[] Fields { get; private set; } = [];

    public ProtoField? Field(int number) =>
        (uint)number < (uint)_byNumber.Length ? _byNumber[number] : null;

    internal void SetFields(List<ProtoField> fields)
    {
        fields.Sort((a, b) => a.Number.CompareTo(b.Number));
        Fields = fields.ToArray();
        _byNumber = new ProtoField?[fields.Count == 0 ? 0 : fields[^1].Number + 1];
        foreach (var f in fields)
        {
            _byNumber[f.Number] = f;
        }
    }

    public override string ToString() => Name;
}

/// <summary>
/// The messages of the table (<see cref="ProtobufTable"/>), parsed once. Message names are
/// "group/version.Kind" with the group's first DNS label ("core/v1.Pod", "rbac/v1.Role",
/// "meta/v1.ObjectMeta").
/// </summary>
internal sealed class ProtoSchema
{
    private static readonly Lazy<ProtoSchema> Shared = new(() => Parse(ProtobufTable.Parts));

    private readonly Dictionary<string, ProtoMessage> _messages;

    private ProtoSchema(Dictionary<string, ProtoMessage> messages) => _messages = messages;

    public static ProtoSchema Default => Shared.Value;

    public IEnumerable<ProtoMessage> Messages => _messages.Values;

    public ProtoMessage? Find(string name) => _messages.GetValueOrDefault(name);

    /// <summary>
    /// The message of a kind: ("apps/v1", "Deployment") → apps/v1.Deployment. The meta/v1 kinds
    /// every group version carries (Status, DeleteOptions, WatchEvent, List, ...) come from meta/v1.
    /// </summary>
    public ProtoMessage? ForKind(string? apiVersion, string? kind) =>
        MessageName(apiVersion, kind) is { } name ? Find(name) ?? Find("meta/v1." + kind) : null;

    public static string? MessageName(string? apiVersion, string? kind)
    {
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            return null;
        }
        var slash = apiVersion.IndexOf('/');
        if (slash < 0)
        {
            return $"core/{apiVersion}.{kind}";
        }
        var group = apiVersion.AsSpan(0, slash);
        var dot = group.IndexOf('.');
        var label = dot < 0 ? group : group[..dot];
        return $"{label}/{apiVersion.AsSpan(slash + 1)}.{kind}";
    }

    internal static ProtoSchema Parse(IEnumerable<string> parts)
    {
        var messages = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        var fields = new Dictionary<ProtoMessage, List<ProtoField>>();
        ProtoMessage? current = null;
        string package = "";
        foreach (var part in parts)
        {
            foreach (var raw in part.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (line[0] == '@')
                {
                    var name = words[0][1..];
                    package = name[..name.LastIndexOf('.')];
                    current = new ProtoMessage { Name = name, IsList = words.Length > 1 && words[1] == "list" };
                    messages.Add(name, current);
                    fields[current] = [];
                    continue;
                }
                if (current == null || words.Length < 3)
                {
                    throw new FormatException($"protobuf table: bad line '{line}'");
                }
                fields[current].Add(ParseField(words, package));
            }
        }
        foreach (var (message, list) in fields)
        {
            foreach (var f in list)
            {
                if (f.MessageName != null)
                {
                    f.Message = messages.GetValueOrDefault(f.MessageName)
                        ?? throw new FormatException($"protobuf table: {message.Name}.{f.JsonName} refers to unknown {f.MessageName}");
                }
            }
            message.SetFields(list);
        }
        return new ProtoSchema(messages);
    }

    private static ProtoField ParseField(string[] words, string package)
    {
        var type = words[2];
        bool repeated = false, isMap = false;
        var keyType = ProtoType.String;
        if (type.StartsWith("[]", StringComparison.Ordinal))
        {
            repeated = true;
            type = type[2..];
        }
        else if (type.StartsWith("map<", StringComparison.Ordinal))
        {
            isMap = true;
            var comma = type.IndexOf(',');
            keyType = Scalar(type[4..comma]) ?? throw new FormatException($"protobuf table: bad map key in '{type}'");
            type = type[(comma + 1)..^1];
        }
        string? messageName = null;
        var scalar = Scalar(type);
        if (scalar == null)
        {
            var qualified = type.Contains('.') ? type : package + "." + type;
            scalar = Special(qualified);
            if (scalar == null)
            {
                messageName = qualified;
            }
        }
        bool ptr = false, omit = false, inline = false;
        for (var i = 3; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "ptr": ptr = true; break;
                case "omit": omit = true; break;
                case "inline": inline = true; break;
                default: throw new FormatException($"protobuf table: unknown flag '{words[i]}'");
            }
        }
        return new ProtoField
        {
            Number = int.Parse(words[0], System.Globalization.CultureInfo.InvariantCulture),
            JsonName = words[1],
            Type = scalar ?? ProtoType.Message,
            MessageName = messageName,
            Repeated = repeated,
            IsMap = isMap,
            KeyType = keyType,
            Pointer = ptr,
            OmitEmpty = omit,
            Inline = inline,
        };
    }

    private static ProtoType? Scalar(string name) => name switch
    {
        "double" => ProtoType.Double,
        "float" => ProtoType.Float,
        "int64" => ProtoType.Int64,
        "uint64" => ProtoType.UInt64,
        "int32" => ProtoType.Int32,
        "uint32" => ProtoType.UInt32,
        "sint32" => ProtoType.SInt32,
        "sint64" => ProtoType.SInt64,
        "bool" => ProtoType.Bool,
        "string" => ProtoType.String,
        "bytes" => ProtoType.Bytes,
        _ => null,
    };

    private static ProtoType? Special(string qualified) => qualified switch
    {
        "meta/v1.Time" => ProtoType.Time,
        "meta/v1.MicroTime" => ProtoType.MicroTime,
        "meta/v1.Duration" => ProtoType.Duration,
        "meta/v1.FieldsV1" => ProtoType.FieldsV1,
        "resource.Quantity" => ProtoType.Quantity,
        "intstr.IntOrString" => ProtoType.IntOrString,
        "runtime.RawExtension" => ProtoType.RawExtension,
        _ => null,
    };
}
