using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coxswain.Api.Protobuf;

/// <summary>
/// Turns a message of Kubernetes' protobuf encoding into the JSON that Go's encoding/json would
/// write for the same Go object: zero values of non-pointer omitempty scalars are left out,
/// pointers keep their zeros, inline structs merge into their parent, Time and friends take their
/// custom forms. Field numbers missing from the table are skipped.
/// </summary>
internal static class ProtobufDecoder
{
    private const int MaxDepth = 100;

    public static void DecodeInto(JsonObject target, ProtoMessage message, ReadOnlySpan<byte> data, int depth)
    {
        if (depth > MaxDepth)
        {
            throw ProtoReader.Malformed("objects are nested too deeply");
        }
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadTag();
            var field = message.Field(number);
            if (field == null)
            {
                reader.Skip(wire);
                continue;
            }
            if (field.IsMap)
            {
                Expect(field, wire, WireType.LengthDelimited);
                ReadMapEntry(target, field, reader.ReadBytes(), depth);
            }
            else if (field.Repeated)
            {
                ReadRepeated(target, field, ref reader, wire, depth);
            }
            else if (field.Inline || (field.Type == ProtoType.Message && !field.Message!.IsList))
            {
                Expect(field, wire, WireType.LengthDelimited);
                var body = reader.ReadBytes();
                var into = field.Inline ? target : target[field.JsonName] as JsonObject;
                if (into == null)
                {
                    into = new JsonObject();
                    target[field.JsonName] = into;
                }
                DecodeInto(into, field.Message!, body, depth + 1);
            }
            else
            {
                var value = ReadValue(field, ref reader, wire, depth, out var zero);
                if (value == null || (zero && field.OmitEmpty && !field.Pointer) || (zero && field.Type is ProtoType.Time or ProtoType.MicroTime))
                {
                    target.Remove(field.JsonName);
                }
                else
                {
                    target[field.JsonName] = value;
                }
            }
        }
    }

    private static void ReadRepeated(JsonObject target, ProtoField field, ref ProtoReader reader, WireType wire, int depth)
    {
        if (target[field.JsonName] is not JsonArray array)
        {
            array = [];
            target[field.JsonName] = array;
        }
        if (wire == WireType.LengthDelimited && IsPackable(field.Type))
        {
            var packed = new ProtoReader(reader.ReadBytes());
            var element = ElementWire(field.Type);
            while (!packed.End)
            {
                array.Add(ReadValue(field, ref packed, element, depth, out _));
            }
            return;
        }
        array.Add(ReadValue(field, ref reader, wire, depth, out _));
    }

    private static void ReadMapEntry(JsonObject target, ProtoField field, ReadOnlySpan<byte> entry, int depth)
    {
        var reader = new ProtoReader(entry);
        var key = "";
        JsonNode? value = null;
        var hasValue = false;
        while (!reader.End)
        {
            var (number, wire) = reader.ReadTag();
            if (number == 1)
            {
                key = ReadKey(field, ref reader, wire);
            }
            else if (number == 2)
            {
                if (field.Type == ProtoType.Message && !field.Message!.IsList)
                {
                    Expect(field, wire, WireType.LengthDelimited);
                    var obj = value as JsonObject ?? new JsonObject();
                    DecodeInto(obj, field.Message, reader.ReadBytes(), depth + 1);
                    value = obj;
                }
                else
                {
                    value = ReadValue(field, ref reader, wire, depth, out _);
                }
                hasValue = true;
            }
            else
            {
                reader.Skip(wire);
            }
        }
        if (!hasValue)
        {
            value = ZeroValue(field);
        }
        if (target[field.JsonName] is not JsonObject map)
        {
            map = new JsonObject();
            target[field.JsonName] = map;
        }
        map[key] = value;
    }

    private static string ReadKey(ProtoField field, ref ProtoReader reader, WireType wire)
    {
        if (field.KeyType == ProtoType.String)
        {
            Expect(field, wire, WireType.LengthDelimited);
            return Encoding.UTF8.GetString(reader.ReadBytes());
        }
        Expect(field, wire, WireType.Varint);
        var v = reader.ReadVarint();
        return field.KeyType switch
        {
            ProtoType.Int32 => ((int)(long)v).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ProtoType.Int64 => ((long)v).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ProtoType.Bool => v != 0 ? "true" : "false",
            _ => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Reads one value of <paramref name="field"/>'s type (an element, for repeated fields).</summary>
    private static JsonNode? ReadValue(ProtoField field, ref ProtoReader reader, WireType wire, int depth, out bool zero)
    {
        var type = field.Type;
        zero = false;
        switch (type)
        {
            case ProtoType.Int32:
            case ProtoType.Int64:
            case ProtoType.UInt32:
            case ProtoType.UInt64:
            case ProtoType.SInt32:
            case ProtoType.SInt64:
            case ProtoType.Bool:
                {
                    Expect(field, wire, WireType.Varint);
                    var v = reader.ReadVarint();
                    zero = v == 0;
                    return type switch
                    {
                        ProtoType.Int32 => JsonValue.Create((int)(long)v),
                        ProtoType.Int64 => JsonValue.Create((long)v),
                        ProtoType.UInt32 => JsonValue.Create((uint)v),
                        ProtoType.UInt64 => JsonValue.Create(v),
                        ProtoType.SInt32 => JsonValue.Create((int)((uint)v >> 1) ^ -(int)(v & 1)),
                        ProtoType.SInt64 => JsonValue.Create((long)(v >> 1) ^ -(long)(v & 1)),
                        _ => JsonValue.Create(v != 0),
                    };
                }
            case ProtoType.Double:
                {
                    Expect(field, wire, WireType.Fixed64);
                    var d = BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
                    zero = d == 0;
                    return Finite(field, d);
                }
            case ProtoType.Float:
                {
                    Expect(field, wire, WireType.Fixed32);
                    var f = BitConverter.UInt32BitsToSingle(reader.ReadFixed32());
                    zero = f == 0;
                    return Finite(field, f);
                }
            case ProtoType.String:
                {
                    Expect(field, wire, WireType.LengthDelimited);
                    var bytes = reader.ReadBytes();
                    zero = bytes.IsEmpty;
                    return JsonValue.Create(Encoding.UTF8.GetString(bytes));
                }
            case ProtoType.Bytes:
                {
                    Expect(field, wire, WireType.LengthDelimited);
                    var bytes = reader.ReadBytes();
                    zero = bytes.IsEmpty;
                    return JsonValue.Create(Convert.ToBase64String(bytes));
                }
        }
        Expect(field, wire, WireType.LengthDelimited);
        var body = reader.ReadBytes();
        switch (type)
        {
            case ProtoType.Message:
                {
                    // Only list messages (named Go slices such as ExtraValue) and repeated elements come here.
                    var obj = new JsonObject();
                    DecodeInto(obj, field.Message!, body, depth + 1);
                    if (!field.Message!.IsList)
                    {
                        return obj;
                    }
                    var name = field.Message.Fields.Length > 0 ? field.Message.Fields[0].JsonName : "items";
                    var items = obj[name];
                    obj.Remove(name);
                    return items ?? new JsonArray();
                }
            case ProtoType.Time:
            case ProtoType.MicroTime:
                {
                    var (seconds, nanos) = ReadTimestamp(body);
                    if (body.IsEmpty || (seconds == WellKnown.GoZeroSeconds && nanos == 0))
                    {
                        zero = true;
                        return null;
                    }
                    return JsonValue.Create(type == ProtoType.Time
                        ? WellKnown.FormatTime(seconds)
                        : WellKnown.FormatMicroTime(seconds, nanos));
                }
            case ProtoType.Duration:
                {
                    var inner = new ProtoReader(body);
                    long duration = 0;
                    while (!inner.End)
                    {
                        var (n, w) = inner.ReadTag();
                        if (n == 1 && w == WireType.Varint)
                        {
                            duration = (long)inner.ReadVarint();
                        }
                        else
                        {
                            inner.Skip(w);
                        }
                    }
                    zero = duration == 0;
                    return JsonValue.Create(WellKnown.FormatDuration(duration));
                }
            case ProtoType.Quantity:
                {
                    var text = ReadSingleString(body, 1) ?? "0";
                    return JsonValue.Create(text.Length == 0 ? "0" : text);
                }
            case ProtoType.IntOrString:
                return ReadIntOrString(body, out zero);
            case ProtoType.RawExtension:
            case ProtoType.FieldsV1:
                {
                    var raw = ReadSingleBytes(body, 1);
                    if (raw.IsEmpty)
                    {
                        zero = true;
                        return null;
                    }
                    return ParseRaw(raw, depth);
                }
            default:
                throw new InvalidOperationException($"unhandled protobuf type {type}");
        }
    }

    private static JsonNode ReadIntOrString(ReadOnlySpan<byte> body, out bool zero)
    {
        var reader = new ProtoReader(body);
        ulong kind = 0;
        var intVal = 0;
        var strVal = "";
        while (!reader.End)
        {
            var (n, w) = reader.ReadTag();
            switch (n)
            {
                case 1 when w == WireType.Varint: kind = reader.ReadVarint(); break;
                case 2 when w == WireType.Varint: intVal = (int)(long)reader.ReadVarint(); break;
                case 3 when w == WireType.LengthDelimited: strVal = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                default: reader.Skip(w); break;
            }
        }
        zero = kind == 0 && intVal == 0;
        return kind == 1 ? JsonValue.Create(strVal) : JsonValue.Create(intVal);
    }

    private static (long Seconds, int Nanos) ReadTimestamp(ReadOnlySpan<byte> body)
    {
        var reader = new ProtoReader(body);
        long seconds = 0;
        var nanos = 0;
        while (!reader.End)
        {
            var (n, w) = reader.ReadTag();
            switch (n)
            {
                case 1 when w == WireType.Varint: seconds = (long)reader.ReadVarint(); break;
                case 2 when w == WireType.Varint: nanos = (int)(long)reader.ReadVarint(); break;
                default: reader.Skip(w); break;
            }
        }
        return (seconds, nanos);
    }

    private static string? ReadSingleString(ReadOnlySpan<byte> body, int number)
    {
        var bytes = ReadSingleBytes(body, number, out var found);
        return found ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static ReadOnlySpan<byte> ReadSingleBytes(ReadOnlySpan<byte> body, int number) =>
        ReadSingleBytes(body, number, out _);

    private static ReadOnlySpan<byte> ReadSingleBytes(ReadOnlySpan<byte> body, int number, out bool found)
    {
        var reader = new ProtoReader(body);
        ReadOnlySpan<byte> result = default;
        found = false;
        while (!reader.End)
        {
            var (n, w) = reader.ReadTag();
            if (n == number && w == WireType.LengthDelimited)
            {
                result = reader.ReadBytes();
                found = true;
            }
            else
            {
                reader.Skip(w);
            }
        }
        return result;
    }

    /// <summary>The bytes of a RawExtension or FieldsV1: JSON, or a nested protobuf object.</summary>
    private static JsonNode? ParseRaw(ReadOnlySpan<byte> raw, int depth)
    {
        if (raw.StartsWith(ProtobufCodec.Magic))
        {
            return ProtobufCodec.DecodeEnvelope(raw, depth + 1);
        }
        try
        {
            return JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw ProtoReader.Malformed($"embedded object is not JSON: {e.Message}");
        }
    }

    /// <summary>The value Go has for a map entry whose value was not written.</summary>
    private static JsonNode? ZeroValue(ProtoField field) => field.Type switch
    {
        ProtoType.String or ProtoType.Bytes => JsonValue.Create(""),
        ProtoType.Bool => JsonValue.Create(false),
        ProtoType.Double or ProtoType.Float => JsonValue.Create(0.0),
        ProtoType.Quantity => JsonValue.Create("0"),
        ProtoType.Duration => JsonValue.Create("0s"),
        ProtoType.Message when field.Message!.IsList => new JsonArray(),
        ProtoType.Message => new JsonObject(),
        ProtoType.Time or ProtoType.MicroTime or ProtoType.RawExtension or ProtoType.FieldsV1 => null,
        _ => JsonValue.Create(0),
    };

    private static JsonValue Finite(ProtoField field, double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : throw ProtoReader.Malformed($"field {field.JsonName} is not a finite number");

    private static bool IsPackable(ProtoType type) => type is ProtoType.Int32 or ProtoType.Int64 or ProtoType.UInt32
        or ProtoType.UInt64 or ProtoType.SInt32 or ProtoType.SInt64 or ProtoType.Bool or ProtoType.Double or ProtoType.Float;

    private static WireType ElementWire(ProtoType type) => type switch
    {
        ProtoType.Double => WireType.Fixed64,
        ProtoType.Float => WireType.Fixed32,
        _ => WireType.Varint,
    };

    private static void Expect(ProtoField field, WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw ProtoReader.Malformed($"field {field.Number} ({field.JsonName}) has wire type {(int)actual}, expected {(int)expected}");
        }
    }
}
