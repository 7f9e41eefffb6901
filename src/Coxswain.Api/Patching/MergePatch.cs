using System.Text.Json.Nodes;
using Coxswain.Api.Errors;

namespace Coxswain.Api.Patching;

/// <summary>
/// JSON merge patch (RFC 7386, <c>application/merge-patch+json</c>) as the Kubernetes API server
/// applies it (evanphx/json-patch v4 MergePatch): objects merge member by member, <c>null</c>
/// deletes a member, anything else replaces the target.
/// </summary>
/// <remarks>
/// Differences from the RFC kept from upstream: a patch that is <c>null</c> or a scalar is rejected
/// (400 "Invalid JSON Patch"); when a member is added (or replaces a non-object), nulls are pruned
/// from the added value's objects, including objects inside arrays; when an object is replaced by
/// an array the array is taken as is.
/// </remarks>
public static class MergePatch
{
    /// <summary>
    /// Applies <paramref name="patch"/> to a copy of <paramref name="doc"/> and returns the result.
    /// The inputs are not modified. An array patch replaces the document (with nulls pruned from the
    /// objects in it), as upstream does.
    /// </summary>
    /// <exception cref="ApiException">400 BadRequest "Invalid JSON Patch" for a null or scalar patch.</exception>
    public static JsonNode Apply(JsonNode doc, JsonNode? patch)
    {
        switch (patch)
        {
            case JsonObject patchObj:
                if (doc is not JsonObject docObj)
                {
                    // Not a document: the patch (without nulls) becomes the document.
                    var replaced = (JsonObject)patchObj.DeepClone();
                    PruneNulls(replaced);
                    return replaced;
                }
                var result = (JsonObject)docObj.DeepClone();
                MergeObjects(result, patchObj);
                return result;
            case JsonArray patchArray:
                var array = (JsonArray)patchArray.DeepClone();
                PruneNulls(array);
                return array;
            default:
                throw ApiException.BadRequest("Invalid JSON Patch");
        }
    }

    private static void MergeObjects(JsonObject doc, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value == null)
            {
                doc.Remove(key);
                continue;
            }
            if (!doc.TryGetPropertyValue(key, out var current) || current == null)
            {
                doc[key] = Pruned(value);
                continue;
            }
            if (current is not JsonObject currentObj)
            {
                doc[key] = Pruned(value);
                continue;
            }
            if (value is not JsonObject valueObj)
            {
                doc[key] = value.DeepClone();
                continue;
            }
            MergeObjects(currentObj, valueObj);
        }
    }

    private static JsonNode Pruned(JsonNode value)
    {
        var copy = value.DeepClone();
        PruneNulls(copy);
        return copy;
    }

    /// <summary>Removes null members from objects, recursively (null array elements stay).</summary>
    internal static void PruneNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(kv => kv.Value == null).Select(kv => kv.Key).ToList())
                {
                    obj.Remove(key);
                }
                foreach (var (_, v) in obj)
                {
                    PruneNulls(v);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    PruneNulls(item);
                }
                break;
        }
    }
}
