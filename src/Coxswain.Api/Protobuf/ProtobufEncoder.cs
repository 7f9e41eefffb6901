using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Errors;

namespace Coxswain.Api.Protobuf;

/// <summary>
/// Writes a JSON object as the message of its kind, the way Go's generated marshallers do:
/// fields in ascending number order, non-pointer scalars and structs always (zero when absent),
/// pointers, slices and maps only when set, map entries sorted by key. For objects that came from
/// Go this reproduces Go's bytes exactly. JSON properties the table does not know are dropped.
/// </summary>
internal static class ProtobufEncoder
{
    private const int MaxDepth = 100;

    public static void EncodeMessage(ProtoWriter w, ProtoMessage message, JsonObject? obj, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Invalid(message, "objects are nested too deeply");
        }
        foreach (var field in message.Fields)
        {
            if (field.Inline)
            {
                var start = w.BeginMessage(field.Number);
                EncodeMessage(w, field.Message!, obj, depth + 1);
                w.EndMessage(start);
                continue;
            }
            var node = obj?[field.JsonName];
            if (field.IsMap)
            {
                if (node is JsonObject map)
                {
                    WriteMap(w, field, map, depth);
                }
            }
            else if (field.Repeated)
            {
                if (node is JsonArray array)
                {
                    foreach (var element in array)
                    {
                        WriteValue(w, field.Number, field, element, depth);
                    }
                }
            }
            else if (node != null)
            {
                WriteValue(w, field.Number, field, node, depth);
            }
            else if (!field.Pointer)
            {
                WriteZero(w, field, depth);
            }
        }
    }

    private static void WriteMap(ProtoWriter w, ProtoField field, JsonObject map, int depth)
    {
        var keys = new string[map.Count];
        var i = 0;
        foreach (var (key, _) in map)
        {
            keys[i++] = key;
        }
        Array.Sort(keys, string.CompareOrdinal);
        foreach (var key in keys)
        {
            var start = w.BeginMessage(field.Number);
            WriteKey(w, field, key);
            var value = map[key];
            if (value != null)
            {
                WriteValue(w, 2, field, value, depth);
            }
            else if (field.Type != ProtoType.Bytes)
            {
                WriteZero(w, 2, field, depth);
            }
            w.EndMessage(start);
        }
    }

    private static void WriteKey(ProtoWriter w, ProtoField field, string key)
    {
        if (field.KeyType == ProtoType.String)
        {
            w.WriteString(1, key);
            return;
        }
        w.WriteTag(1, WireType.Varint);
        w.WriteVarint(field.KeyType == ProtoType.Bool
            ? (key == "true" ? 1UL : 0UL)
            : (ulong)long.Parse(key, CultureInfo.InvariantCulture));
    }

    private static void WriteZero(ProtoWriter w, ProtoField field, int depth) => WriteZero(w, field.Number, field, depth);

    /// <summary>What Go writes for a non-pointer field holding its zero value.</summary>
    private static void WriteZero(ProtoWriter w, int number, ProtoField field, int depth)
    {
        switch (field.Type)
        {
            case ProtoType.Bytes:
                return; // a nil []byte is not written
            case ProtoType.Message when field.Message!.IsList:
                return; // a nil named slice is not written
            case ProtoType.Message:
                {
                    var start = w.BeginMessage(number);
                    EncodeMessage(w, field.Message, null, depth + 1);
                    w.EndMessage(start);
                    return;
                }
            case ProtoType.Time or ProtoType.MicroTime or ProtoType.RawExtension or ProtoType.FieldsV1:
                w.EndMessage(w.BeginMessage(number));
                return;
            case ProtoType.Duration:
                WriteValue(w, number, field, JsonValue.Create("0s"), depth);
                return;
            case ProtoType.Quantity:
            case ProtoType.String:
                WriteValue(w, number, field, JsonValue.Create(field.Type == ProtoType.Quantity ? "0" : ""), depth);
                return;
            case ProtoType.IntOrString:
                WriteValue(w, number, field, JsonValue.Create(0), depth);
                return;
            case ProtoType.Double:
                w.WriteTag(number, WireType.Fixed64);
                w.WriteFixed64(0);
                return;
            case ProtoType.Float:
                w.WriteTag(number, WireType.Fixed32);
                w.WriteFixed32(0);
                return;
            default:
                w.WriteTag(number, WireType.Varint);
                w.WriteVarint(0);
                return;
        }
    }

    private static void WriteValue(ProtoWriter w, int number, ProtoField field, JsonNode? node, int depth)
    {
        if (node == null)
        {
            WriteZero(w, number, field, depth);
            return;
        }
        switch (field.Type)
        {
            case ProtoType.Int32:
            case ProtoType.Int64:
            case ProtoType.UInt32:
            case ProtoType.UInt64:
                w.WriteTag(number, WireType.Varint);
                w.WriteVarint(field.Type is ProtoType.UInt64 ? ToUInt64(field, node) : (ulong)ToInt64(field, node));
                return;
            case ProtoType.SInt32:
            case ProtoType.SInt64:
                {
                    var v = ToInt64(field, node);
                    w.WriteTag(number, WireType.Varint);
                    w.WriteVarint((ulong)((v << 1) ^ (v >> 63)));
                    return;
                }
            case ProtoType.Bool:
                w.WriteTag(number, WireType.Varint);
                w.WriteVarint(node.GetValueKind() switch
                {
                    JsonValueKind.True => 1UL,
                    JsonValueKind.False => 0UL,
                    _ => throw Invalid(field, "expected a boolean"),
                });
                return;
            case ProtoType.Double:
                w.WriteTag(number, WireType.Fixed64);
                w.WriteFixed64(BitConverter.DoubleToUInt64Bits(ToDouble(field, node)));
                return;
            case ProtoType.Float:
                w.WriteTag(number, WireType.Fixed32);
                w.WriteFixed32(BitConverter.SingleToUInt32Bits((float)ToDouble(field, node)));
                return;
            case ProtoType.String:
                w.WriteString(number, ToText(field, node));
                return;
            case ProtoType.Bytes:
                {
                    byte[] bytes;
                    try
                    {
                        bytes = Convert.FromBase64String(ToText(field, node));
                    }
                    catch (FormatException)
                    {
                        throw Invalid(field, "expected base64 data");
                    }
                    w.WriteBytes(number, bytes);
                    return;
                }
        }
        var start = w.BeginMessage(number);
        switch (field.Type)
        {
            case ProtoType.Message when field.Message!.IsList:
                if (node is not JsonArray items)
                {
                    throw Invalid(field, "expected an array");
                }
                foreach (var item in items)
                {
                    w.WriteString(1, item == null ? "" : ToText(field, item));
                }
                break;
            case ProtoType.Message:
                EncodeMessage(w, field.Message, node as JsonObject ?? throw Invalid(field, "expected an object"), depth + 1);
                break;
            case ProtoType.Time:
            case ProtoType.MicroTime:
                {
                    if (!WellKnown.TryParseTime(ToText(field, node), out var seconds, out var nanos))
                    {
                        throw Invalid(field, "expected an RFC 3339 time");
                    }
                    if (field.Type == ProtoType.Time)
                    {
                        nanos = 0;
                    }
                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint((ulong)seconds);
                    w.WriteTag(2, WireType.Varint);
                    w.WriteVarint((ulong)(long)nanos);
                    break;
                }
            case ProtoType.Duration:
                {
                    if (!WellKnown.TryParseDuration(ToText(field, node), out var duration))
                    {
                        throw Invalid(field, "expected a duration");
                    }
                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint((ulong)duration);
                    break;
                }
            case ProtoType.Quantity:
                w.WriteString(1, node.GetValueKind() == JsonValueKind.Number ? node.ToJsonString() : ToText(field, node));
                break;
            case ProtoType.IntOrString:
                {
                    var isString = node.GetValueKind() == JsonValueKind.String;
                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint(isString ? 1UL : 0UL);
                    w.WriteTag(2, WireType.Varint);
                    w.WriteVarint(isString ? 0UL : (ulong)(long)checked((int)ToInt64(field, node)));
                    w.WriteString(3, isString ? ToText(field, node) : "");
                    break;
                }
            case ProtoType.RawExtension:
            case ProtoType.FieldsV1:
                w.WriteBytes(1, Encoding.UTF8.GetBytes(node.ToJsonString()));
                break;
            default:
                throw new InvalidOperationException($"unhandled protobuf type {field.Type}");
        }
        w.EndMessage(start);
    }

    private static long ToInt64(ProtoField field, JsonNode node)
    {
        if (node is JsonValue value)
        {
            if (value.TryGetValue<long>(out var l))
            {
                return l;
            }
            if (value.TryGetValue<int>(out var i))
            {
                return i;
            }
            if (value.GetValueKind() == JsonValueKind.Number)
            {
                var text = value.ToJsonString();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l))
                {
                    return l;
                }
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d)
                    && d >= long.MinValue && d <= long.MaxValue)
                {
                    return (long)d;
                }
            }
        }
        throw Invalid(field, "expected an integer");
    }

    private static ulong ToUInt64(ProtoField field, JsonNode node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && ulong.TryParse(value.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var u)
            ? u
            : throw Invalid(field, "expected an unsigned integer");

    private static double ToDouble(ProtoField field, JsonNode node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw Invalid(field, "expected a number");

    private static string ToText(ProtoField field, JsonNode node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s)
            ? s
            : throw Invalid(field, "expected a string");

    private static ApiException Invalid(ProtoField field, string why) =>
        ApiException.Internal($"cannot encode field {field.JsonName} as protobuf: {why}");

    private static ApiException Invalid(ProtoMessage message, string why) =>
        ApiException.Internal($"cannot encode {message.Name} as protobuf: {why}");
}
