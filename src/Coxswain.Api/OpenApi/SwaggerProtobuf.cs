using System.Text;
using System.Text.Json;

namespace Coxswain.Api.OpenApi;

/// <summary>
/// Transcodes the Swagger 2.0 JSON document into the protobuf form clients ask for with
/// <c>Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c> (gnostic's
/// <c>openapi.v2.Document</c>). client-go reads <c>/openapi/v2</c> only in that form; kubectl
/// 1.27 and 1.28 need it for explain and for validation. Covers the parts of the schema the
/// Swagger writer produces; vendor extensions are carried as YAML (JSON text is YAML).
/// </summary>
internal static class SwaggerProtobuf
{
    public static byte[] Encode(ReadOnlySpan<byte> swaggerJson)
    {
        using var doc = JsonDocument.Parse(swaggerJson.ToArray());
        var w = new ProtoWriter();
        Document(w, doc.RootElement);
        return w.ToArray();
    }

    private static void Document(ProtoWriter w, JsonElement d)
    {
        foreach (var p in d.EnumerateObject())
        {
            switch (p.Name)
            {
                case "swagger": w.String(1, p.Value.GetString()); break;
                case "info": w.Message(2, p.Value, Info); break;
                case "schemes": w.Strings(5, p.Value); break;
                case "consumes": w.Strings(6, p.Value); break;
                case "produces": w.Strings(7, p.Value); break;
                case "paths": w.Message(8, p.Value, Paths); break;
                case "definitions": w.Message(9, p.Value, (x, v) => Named(x, 1, v, Schema)); break;
                case "security":
                    foreach (var requirement in p.Value.EnumerateArray())
                    {
                        w.Message(12, requirement, (x, v) => Named(x, 1, v, (y, a) => y.Strings(1, a)));
                    }
                    break;
                case "securityDefinitions": w.Message(13, p.Value, (x, v) => Named(x, 1, v, SecurityDefinition)); break;
                default: Extension(w, 16, p); break;
            }
        }
    }

    private static void Info(ProtoWriter w, JsonElement info)
    {
        foreach (var p in info.EnumerateObject())
        {
            switch (p.Name)
            {
                case "title": w.String(1, p.Value.GetString()); break;
                case "version": w.String(2, p.Value.GetString()); break;
                case "description": w.String(3, p.Value.GetString()); break;
                default: Extension(w, 7, p); break;
            }
        }
    }

    private static void SecurityDefinition(ProtoWriter w, JsonElement item)
    {
        // Only API keys (the bearer token) are written.
        w.Message(2, item, (x, v) =>
        {
            foreach (var p in v.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "type": x.String(1, p.Value.GetString()); break;
                    case "name": x.String(2, p.Value.GetString()); break;
                    case "in": x.String(3, p.Value.GetString()); break;
                    case "description": x.String(4, p.Value.GetString()); break;
                    default: Extension(x, 5, p); break;
                }
            }
        });
    }

    private static void Paths(ProtoWriter w, JsonElement paths)
    {
        foreach (var p in paths.EnumerateObject())
        {
            if (p.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                Extension(w, 1, p);
                continue;
            }
            w.Message(2, p, (x, named) =>
            {
                x.String(1, named.Name);
                x.Message(2, named.Value, PathItem);
            });
        }
    }

    private static void PathItem(ProtoWriter w, JsonElement item)
    {
        foreach (var p in item.EnumerateObject())
        {
            var field = p.Name switch
            {
                "get" => 2,
                "put" => 3,
                "post" => 4,
                "delete" => 5,
                "options" => 6,
                "head" => 7,
                "patch" => 8,
                _ => 0,
            };
            if (field != 0)
            {
                w.Message(field, p.Value, Operation);
            }
            else if (p.Name == "parameters")
            {
                foreach (var parameter in p.Value.EnumerateArray())
                {
                    w.Message(9, parameter, ParametersItem);
                }
            }
            else
            {
                Extension(w, 10, p);
            }
        }
    }

    private static void Operation(ProtoWriter w, JsonElement op)
    {
        foreach (var p in op.EnumerateObject())
        {
            switch (p.Name)
            {
                case "tags": w.Strings(1, p.Value); break;
                case "summary": w.String(2, p.Value.GetString()); break;
                case "description": w.String(3, p.Value.GetString()); break;
                case "operationId": w.String(5, p.Value.GetString()); break;
                case "produces": w.Strings(6, p.Value); break;
                case "consumes": w.Strings(7, p.Value); break;
                case "parameters":
                    foreach (var parameter in p.Value.EnumerateArray())
                    {
                        w.Message(8, parameter, ParametersItem);
                    }
                    break;
                case "responses": w.Message(9, p.Value, Responses); break;
                case "schemes": w.Strings(10, p.Value); break;
                case "deprecated": w.Bool(11, p.Value.GetBoolean()); break;
                default: Extension(w, 13, p); break;
            }
        }
    }

    /// <summary>ParametersItem{parameter=1: Parameter{body_parameter=1 | non_body_parameter=2}}.</summary>
    private static void ParametersItem(ProtoWriter w, JsonElement parameter) => w.Message(1, parameter, (x, v) =>
    {
        var location = v.TryGetProperty("in", out var i) ? i.GetString() : null;
        if (location == "body")
        {
            x.Message(1, v, BodyParameter);
            return;
        }
        // NonBodyParameter: header=1, formData=2, query=3, path=4.
        var kind = location switch
        {
            "header" => 1,
            "formData" => 2,
            "path" => 4,
            _ => 3,
        };
        x.Message(2, v, (y, p) => y.Message(kind, p, (z, s) => SimpleParameter(z, s, kind)));
    });

    private static void BodyParameter(ProtoWriter w, JsonElement body)
    {
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "description": w.String(1, p.Value.GetString()); break;
                case "name": w.String(2, p.Value.GetString()); break;
                case "in": w.String(3, p.Value.GetString()); break;
                case "required": w.Bool(4, p.Value.GetBoolean()); break;
                case "schema": w.Message(5, p.Value, Schema); break;
                default: Extension(w, 6, p); break;
            }
        }
    }

    /// <summary>
    /// The sub-schemas of header, form, query and path parameters share their first fields;
    /// form and query parameters have allow_empty_value as field 5 and shift the rest by one.
    /// </summary>
    private static void SimpleParameter(ProtoWriter w, JsonElement parameter, int kind)
    {
        var shift = kind is 2 or 3 ? 1 : 0;
        foreach (var p in parameter.EnumerateObject())
        {
            switch (p.Name)
            {
                case "required": w.Bool(1, p.Value.GetBoolean()); break;
                case "in": w.String(2, p.Value.GetString()); break;
                case "description": w.String(3, p.Value.GetString()); break;
                case "name": w.String(4, p.Value.GetString()); break;
                case "type": w.String(5 + shift, p.Value.GetString()); break;
                case "format": w.String(6 + shift, p.Value.GetString()); break;
                case "uniqueItems": w.Bool(19 + shift, p.Value.GetBoolean()); break;
                default: Extension(w, 22 + shift, p); break;
            }
        }
    }

    private static void Responses(ProtoWriter w, JsonElement responses)
    {
        foreach (var p in responses.EnumerateObject())
        {
            if (p.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                Extension(w, 2, p);
                continue;
            }
            w.Message(1, p, (x, named) =>
            {
                x.String(1, named.Name);
                x.Message(2, named.Value, (y, value) => y.Message(1, value, Response));
            });
        }
    }

    private static void Response(ProtoWriter w, JsonElement response)
    {
        foreach (var p in response.EnumerateObject())
        {
            switch (p.Name)
            {
                case "description": w.String(1, p.Value.GetString()); break;
                case "schema": w.Message(2, p.Value, (x, v) => x.Message(1, v, Schema)); break;
                default: Extension(w, 5, p); break;
            }
        }
    }

    private static void Schema(ProtoWriter w, JsonElement schema)
    {
        foreach (var p in schema.EnumerateObject())
        {
            switch (p.Name)
            {
                case "$ref": w.String(1, p.Value.GetString()); break;
                case "format": w.String(2, p.Value.GetString()); break;
                case "title": w.String(3, p.Value.GetString()); break;
                case "description": w.String(4, p.Value.GetString()); break;
                case "default": w.Message(5, p.Value, AnyYaml); break;
                case "uniqueItems": w.Bool(16, p.Value.GetBoolean()); break;
                case "required": w.Strings(19, p.Value); break;
                case "enum":
                    foreach (var e in p.Value.EnumerateArray())
                    {
                        w.Message(20, e, AnyYaml);
                    }
                    break;
                case "additionalProperties":
                    w.Message(21, p.Value, (x, v) =>
                    {
                        if (v.ValueKind == JsonValueKind.Object)
                        {
                            x.Message(1, v, Schema);
                        }
                        else
                        {
                            x.Bool(2, v.GetBoolean(), always: true);
                        }
                    });
                    break;
                case "type":
                    w.Message(22, p.Value, (x, v) =>
                    {
                        if (v.ValueKind == JsonValueKind.Array)
                        {
                            x.Strings(1, v);
                        }
                        else
                        {
                            x.String(1, v.GetString());
                        }
                    });
                    break;
                case "items":
                    w.Message(23, p.Value, (x, v) =>
                    {
                        if (v.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var item in v.EnumerateArray())
                            {
                                x.Message(1, item, Schema);
                            }
                        }
                        else
                        {
                            x.Message(1, v, Schema);
                        }
                    });
                    break;
                case "allOf":
                    foreach (var s in p.Value.EnumerateArray())
                    {
                        w.Message(24, s, Schema);
                    }
                    break;
                case "properties": w.Message(25, p.Value, (x, v) => Named(x, 1, v, Schema)); break;
                case "readOnly": w.Bool(27, p.Value.GetBoolean()); break;
                default: Extension(w, 31, p); break;
            }
        }
    }

    /// <summary>A JSON object as repeated (name, value) messages.</summary>
    private static void Named(ProtoWriter w, int field, JsonElement obj, Action<ProtoWriter, JsonElement> value)
    {
        foreach (var p in obj.EnumerateObject())
        {
            w.Message(field, p, (x, named) =>
            {
                x.String(1, named.Name);
                x.Message(2, named.Value, value);
            });
        }
    }

    /// <summary>A vendor extension (x-...) as NamedAny{name, Any{yaml}}; other unknown keys are dropped.</summary>
    private static void Extension(ProtoWriter w, int field, JsonProperty p)
    {
        if (!p.Name.StartsWith("x-", StringComparison.Ordinal))
        {
            return;
        }
        w.Message(field, p, (x, named) =>
        {
            x.String(1, named.Name);
            x.Message(2, named.Value, AnyYaml);
        });
    }

    private static void AnyYaml(ProtoWriter w, JsonElement value) => w.String(2, value.GetRawText(), always: true);

    /// <summary>
    /// Protobuf wire format: varints, and length-delimited strings and messages. A message is
    /// written in place and its length inserted in front of it afterwards.
    /// </summary>
    private sealed class ProtoWriter
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _length;

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        public void String(int field, string? value, bool always = false)
        {
            if (value == null || (value.Length == 0 && !always))
            {
                return;
            }
            Tag(field, 2);
            var length = Encoding.UTF8.GetByteCount(value);
            Varint((ulong)length);
            Ensure(length);
            _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        }

        public void Strings(int field, JsonElement array)
        {
            foreach (var s in array.EnumerateArray())
            {
                String(field, s.GetString(), always: true);
            }
        }

        public void Bool(int field, bool value, bool always = false)
        {
            if (!value && !always)
            {
                return;
            }
            Tag(field, 0);
            Varint(value ? 1UL : 0UL);
        }

        public void Message<T>(int field, T value, Action<ProtoWriter, T> body)
        {
            Tag(field, 2);
            var start = _length;
            body(this, value);
            var size = _length - start;
            Span<byte> prefix = stackalloc byte[10];
            var n = EncodeVarint(prefix, (ulong)size);
            Ensure(n);
            _buffer.AsSpan(start, size).CopyTo(_buffer.AsSpan(start + n));
            prefix[..n].CopyTo(_buffer.AsSpan(start));
            _length += n;
        }

        private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

        private void Varint(ulong value)
        {
            Ensure(10);
            _length += EncodeVarint(_buffer.AsSpan(_length), value);
        }

        private static int EncodeVarint(Span<byte> span, ulong value)
        {
            var i = 0;
            while (value >= 0x80)
            {
                span[i++] = (byte)(value | 0x80);
                value >>= 7;
            }
            span[i++] = (byte)value;
            return i;
        }

        private void Ensure(int more)
        {
            if (_length + more > _buffer.Length)
            {
                System.Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
            }
        }
    }
}
