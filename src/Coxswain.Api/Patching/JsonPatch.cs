using System.Globalization;
using System.Text.Json.Nodes;
using Coxswain.Api.Errors;

namespace Coxswain.Api.Patching;

/// <summary>
/// JSON patch (RFC 6902, <c>application/json-patch+json</c>) with the semantics of the library the
/// Kubernetes API server uses (evanphx/json-patch v4): add, remove, replace, move, copy and test;
/// <c>-</c> appends to an array; <c>~1</c> and <c>~0</c> escape <c>/</c> and <c>~</c> in a pointer;
/// negative array indexes count from the end.
/// </summary>
/// <remarks>
/// Upstream quirks kept on purpose: <c>replace</c> of a missing object member adds it; <c>replace</c>
/// with the path <c>""</c> swaps the whole document (object or array values only) while <c>add</c> at
/// <c>""</c> fails; <c>copy</c> from a missing object member copies null; <c>test</c> of a missing member
/// against <c>null</c> passes; numbers compare by their text (<c>1</c> is not <c>1.0</c>).
/// </remarks>
public static class JsonPatch
{
    /// <summary>Upstream's limit on operations in one patch.</summary>
    public const int MaxOperations = 10000;

    /// <summary>
    /// Applies <paramref name="patch"/> (a JSON array of operations) to a copy of <paramref name="doc"/>
    /// and returns the result. The inputs are not modified.
    /// </summary>
    /// <exception cref="ApiException">
    /// 400 BadRequest when the patch is not an array of objects (upstream's decoder message);
    /// 413 when it has more than <see cref="MaxOperations"/> operations;
    /// 422 Invalid ("the server rejected our request due to an error in our request") when an
    /// operation does not apply, as upstream answers it (the reason is in <c>Data["detail"]</c>).
    /// </exception>
    public static JsonNode Apply(JsonNode doc, JsonNode? patch)
    {
        var ops = Decode(patch);
        if (ops.Count > MaxOperations)
        {
            throw ApiException.RequestEntityTooLarge(
                $"Request entity too large: The allowed maximum operations in a JSON patch is {MaxOperations}, got {ops.Count}");
        }
        var root = doc.DeepClone();
        foreach (var op in ops)
        {
            try
            {
                root = ApplyOne(root, op);
            }
            catch (PatchFailure e)
            {
                throw PatchErrors.Rejected(e.Message);
            }
        }
        return root;
    }

    private static List<JsonObject?> Decode(JsonNode? patch)
    {
        if (patch == null)
        {
            return [];
        }
        if (patch is not JsonArray array)
        {
            throw ApiException.BadRequest($"json: cannot unmarshal {JsonValues.GoJsonTypeWord(patch)} into Go value of type jsonpatch.Patch");
        }
        var ops = new List<JsonObject?>(array.Count);
        foreach (var item in array)
        {
            if (item != null && item is not JsonObject)
            {
                throw ApiException.BadRequest($"json: cannot unmarshal {JsonValues.GoJsonTypeWord(item)} into Go value of type jsonpatch.Operation");
            }
            ops.Add((JsonObject?)item);
        }
        return ops;
    }

    private static JsonNode ApplyOne(JsonNode root, JsonObject? op)
    {
        var kind = StringField(op, "op") ?? "unknown";
        switch (kind)
        {
            case "add":
                Add(root, op!);
                return root;
            case "remove":
                Remove(root, op!);
                return root;
            case "replace":
                return Replace(root, op!);
            case "move":
                Move(root, op!);
                return root;
            case "copy":
                Copy(root, op!);
                return root;
            case "test":
                Test(root, op!);
                return root;
            default:
                throw new PatchFailure($"Unexpected kind: {kind}");
        }
    }

    /// <summary>A string member of the operation; null when absent, null or not a string.</summary>
    private static string? StringField(JsonObject? op, string name) =>
        op != null && op.TryGetPropertyValue(name, out var v) && JsonValues.Kind(v) == JsonKind.String ? JsonValues.Str(v!) : null;

    private static string Pointer(JsonObject op, string name, string opName)
    {
        if (!op.TryGetPropertyValue(name, out var v) || v == null)
        {
            throw new PatchFailure(name == "path"
                ? $"{opName} operation failed to decode path: operation missing path field: missing value"
                : $"{opName} operation failed to decode from: operation, missing from field: missing value");
        }
        if (JsonValues.Kind(v) != JsonKind.String)
        {
            throw new PatchFailure($"{opName} operation failed to decode {name}: json: cannot unmarshal {JsonValues.GoJsonTypeWord(v)} into Go value of type string");
        }
        return JsonValues.Str(v);
    }

    /// <summary>The operation's value: (present, node). A JSON null value is present with a null node.</summary>
    private static (bool Present, JsonNode? Node) Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? (true, v) : (false, null);

    private static void Add(JsonNode root, JsonObject op)
    {
        var path = Pointer(op, "path", "add");
        var (con, key) = FindContainer(root, path);
        if (con == null)
        {
            throw new PatchFailure($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }
        ContainerAdd(con, key, JsonValues.Clone(Value(op).Node), path, "add");
    }

    private static void Remove(JsonNode root, JsonObject op)
    {
        var path = Pointer(op, "path", "remove");
        var (con, key) = FindContainer(root, path);
        if (con == null)
        {
            throw new PatchFailure($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }
        ContainerRemove(con, key, $"error in remove for path: '{path}'");
    }

    private static JsonNode Replace(JsonNode root, JsonObject op)
    {
        var path = Pointer(op, "path", "replace");
        var value = Value(op).Node;
        if (path.Length == 0)
        {
            if (value is JsonObject or JsonArray)
            {
                return value.DeepClone();
            }
            throw new PatchFailure("replace operation value must be object or array");
        }
        var (con, key) = FindContainer(root, path);
        if (con == null)
        {
            throw new PatchFailure($"replace operation does not apply: doc is missing path: {path}: missing value");
        }
        if (con is JsonArray array)
        {
            var idx = ArrayIndex(array, key, array.Count, out var error);
            if (error != null)
            {
                throw new PatchFailure($"replace operation does not apply: doc is missing key: {path}: missing value");
            }
            array[idx] = JsonValues.Clone(value);
        }
        else
        {
            ((JsonObject)con)[key] = JsonValues.Clone(value);
        }
        return root;
    }

    private static void Move(JsonNode root, JsonObject op)
    {
        var from = Pointer(op, "from", "move");
        var (con, key) = FindContainer(root, from);
        if (con == null)
        {
            throw new PatchFailure($"move operation does not apply: doc is missing from path: {from}: missing value");
        }
        var value = ContainerGet(con, key, $"error in move for path: '{key}'");
        ContainerRemove(con, key, $"error in move for path: '{key}'");
        var path = Pointer(op, "path", "move");
        var (target, targetKey) = FindContainer(root, path);
        if (target == null)
        {
            throw new PatchFailure($"move operation does not apply: doc is missing destination path: {path}: missing value");
        }
        ContainerAdd(target, targetKey, JsonValues.Clone(value), path, "move");
    }

    private static void Copy(JsonNode root, JsonObject op)
    {
        var from = Pointer(op, "from", "copy");
        var (con, key) = FindContainer(root, from);
        if (con == null)
        {
            throw new PatchFailure($"copy operation does not apply: doc is missing from path: {from}: missing value");
        }
        var value = ContainerGet(con, key, $"error in copy for from: '{from}'");
        var path = Pointer(op, "path", "copy");
        var (target, targetKey) = FindContainer(root, path);
        if (target == null)
        {
            throw new PatchFailure($"copy operation does not apply: doc is missing destination path: {path}: missing value");
        }
        ContainerAdd(target, targetKey, JsonValues.Clone(value), path, "copy");
    }

    private static void Test(JsonNode root, JsonObject op)
    {
        var path = Pointer(op, "path", "test");
        var (present, expected) = Value(op);
        if (path.Length == 0)
        {
            if (!TestEquals(root, expected))
            {
                throw new PatchFailure($"testing value {path} failed: test failed");
            }
            return;
        }
        var (con, key) = FindContainer(root, path);
        if (con == null)
        {
            throw new PatchFailure($"test operation does not apply: is missing path: {path}: missing value");
        }
        var actual = ContainerGet(con, key, $"error in test for path: '{path}'");
        if (actual == null)
        {
            // A missing (or null) member passes against "value": null.
            if (present && expected == null)
            {
                return;
            }
            throw new PatchFailure($"testing value {path} failed: test failed");
        }
        if (!present || !TestEquals(actual, expected))
        {
            throw new PatchFailure($"testing value {path} failed: test failed");
        }
    }

    /// <summary>The library's equality: objects and arrays deeply, scalars by their JSON text.</summary>
    private static bool TestEquals(JsonNode? a, JsonNode? b)
    {
        switch (a)
        {
            case JsonObject oa:
                if (b is not JsonObject ob || oa.Count != ob.Count)
                {
                    return false;
                }
                foreach (var (k, v) in oa)
                {
                    if (!ob.TryGetPropertyValue(k, out var w) || (v == null) != (w == null) || (v != null && !TestEquals(v, w)))
                    {
                        return false;
                    }
                }
                return true;
            case JsonArray aa:
                if (b is not JsonArray ab || aa.Count != ab.Count)
                {
                    return false;
                }
                for (var i = 0; i < aa.Count; i++)
                {
                    if (!TestEquals(aa[i], ab[i]))
                    {
                        return false;
                    }
                }
                return true;
            default:
                if (b is JsonObject or JsonArray)
                {
                    return false;
                }
                var ka = JsonValues.Kind(a);
                if (ka == JsonKind.String && JsonValues.Kind(b) == JsonKind.String)
                {
                    return JsonValues.Str(a!) == JsonValues.Str(b!);
                }
                return (a?.ToJsonString() ?? "null") == (b?.ToJsonString() ?? "null");
        }
    }

    /// <summary>
    /// Walks the pointer to the container of its last token. Like the library, the first token is
    /// ignored (it is the empty string before the leading "/"), and a pointer with no "/" has no container.
    /// </summary>
    private static (JsonNode? Container, string Key) FindContainer(JsonNode root, string path)
    {
        var split = path.Split('/');
        if (split.Length < 2)
        {
            return (null, "");
        }
        JsonNode current = root;
        for (var i = 1; i < split.Length - 1; i++)
        {
            var part = Unescape(split[i]);
            JsonNode? next;
            if (current is JsonObject obj)
            {
                next = obj.TryGetPropertyValue(part, out var v) ? v : null;
            }
            else
            {
                var array = (JsonArray)current;
                var idx = ArrayIndex(array, part, array.Count, out var error);
                next = error == null ? array[idx] : null;
            }
            if (next is not (JsonObject or JsonArray))
            {
                return (null, "");
            }
            current = next;
        }
        return (current, Unescape(split[^1]));
    }

    private static string Unescape(string token) => token.Replace("~1", "/").Replace("~0", "~");

    private static JsonNode? ContainerGet(JsonNode con, string key, string context)
    {
        if (con is JsonObject obj)
        {
            return obj.TryGetPropertyValue(key, out var v) ? v : null;
        }
        var array = (JsonArray)con;
        var idx = ArrayIndex(array, key, array.Count, out var error);
        if (error != null)
        {
            throw new PatchFailure($"{context}: {error}");
        }
        return array[idx];
    }

    private static void ContainerAdd(JsonNode con, string key, JsonNode? value, string path, string opName)
    {
        if (con is JsonObject obj)
        {
            obj[key] = value;
            return;
        }
        var array = (JsonArray)con;
        if (key == "-")
        {
            array.Add(value);
            return;
        }
        var context = opName switch
        {
            "add" => $"error in add for path: '{path}'",
            "move" => $"error in move for path: '{path}'",
            _ => "error while adding value during copy",
        };
        if (!GoAtoi(key, out var idx))
        {
            throw new PatchFailure($"{context}: value was not a proper array index: '{key}': strconv.Atoi: parsing {JsonValues.GoQuote(key)}: invalid syntax");
        }
        var size = array.Count + 1;
        if (idx >= size)
        {
            throw new PatchFailure($"{context}: Unable to access invalid index: {idx}: invalid index referenced");
        }
        if (idx < 0)
        {
            if (idx < -size)
            {
                throw new PatchFailure($"{context}: Unable to access invalid index: {idx}: invalid index referenced");
            }
            idx += size;
        }
        array.Insert(idx, value);
    }

    private static void ContainerRemove(JsonNode con, string key, string context)
    {
        if (con is JsonObject obj)
        {
            if (!obj.Remove(key))
            {
                throw new PatchFailure($"{context}: Unable to remove nonexistent key: {key}: missing value");
            }
            return;
        }
        var array = (JsonArray)con;
        var idx = ArrayIndex(array, key, array.Count, out var error);
        if (error != null)
        {
            throw new PatchFailure($"{context}: {error}");
        }
        array.RemoveAt(idx);
    }

    /// <summary>An existing index (negative counts from the end); error text when there is none.</summary>
    private static int ArrayIndex(JsonArray array, string key, int count, out string? error)
    {
        error = null;
        if (!GoAtoi(key, out var idx))
        {
            error = $"strconv.Atoi: parsing {JsonValues.GoQuote(key)}: invalid syntax";
            return -1;
        }
        if (idx < 0)
        {
            if (idx < -count)
            {
                error = $"Unable to access invalid index: {idx}: invalid index referenced";
                return -1;
            }
            idx += count;
        }
        if (idx >= count)
        {
            error = $"Unable to access invalid index: {idx}: invalid index referenced";
            return -1;
        }
        return idx;
    }

    /// <summary>Go's strconv.Atoi: optional sign, decimal digits, no spaces.</summary>
    private static bool GoAtoi(string s, out int value)
    {
        value = 0;
        var digits = s.Length > 0 && (s[0] == '+' || s[0] == '-') ? s[1..] : s;
        if (digits.Length == 0 || digits.Any(c => c is < '0' or > '9'))
        {
            return false;
        }
        return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
