using System.Globalization;
using System.Text;
using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>
/// The downward API's metadata fields (upstream's ExtractFieldPathAsString), shared by env fieldRef and downwardAPI
/// volumes: name, namespace, uid, labels and annotations (whole, as sorted <c>key="value"</c> lines, or one key
/// through <c>metadata.labels['key']</c>).
/// </summary>
internal static class PodFieldPaths
{
    public static string Extract(V1Pod pod, string fieldPath)
    {
        var meta = pod.Metadata ?? new V1ObjectMeta();
        if (TrySplitSubscript(fieldPath, out var path, out var key))
        {
            return path switch
            {
                "metadata.annotations" => Lookup(meta.Annotations, key),
                "metadata.labels" => Lookup(meta.Labels, key),
                _ => throw new ContainerConfigException($"fieldPath \"{fieldPath}\" does not support subscript"),
            };
        }
        return fieldPath switch
        {
            "metadata.annotations" => FormatMap(meta.Annotations),
            "metadata.labels" => FormatMap(meta.Labels),
            "metadata.name" => meta.Name ?? "",
            "metadata.namespace" => meta.NamespaceProperty ?? "",
            "metadata.uid" => meta.Uid ?? "",
            _ => throw new ContainerConfigException($"unsupported fieldPath: {fieldPath}"),
        };
    }

    /// <summary>Sorted <c>key="value"</c> lines with Go's %q quoting, no trailing newline.</summary>
    public static string FormatMap(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return "";
        }
        return string.Join('\n', map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + GoQuote(e.Value)));
    }

    /// <summary>Go's strconv.Quote for the characters label and annotation values can hold.</summary>
    public static string GoQuote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\a': quoted.Append("\\a"); break;
                case '\b': quoted.Append("\\b"); break;
                case '\f': quoted.Append("\\f"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\v': quoted.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f)
                    {
                        quoted.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                             or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                    {
                        quoted.Append(rune.Value > 0xffff ? "\\U" + rune.Value.ToString("x8", CultureInfo.InvariantCulture) : "\\u" + rune.Value.ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        quoted.Append(rune.ToString());
                    }
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }

    private static string Lookup(IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : "";

    // "metadata.labels['app']" -> ("metadata.labels", "app").
    private static bool TrySplitSubscript(string fieldPath, out string path, out string key)
    {
        path = fieldPath;
        key = "";
        if (!fieldPath.EndsWith("']", StringComparison.Ordinal))
        {
            return false;
        }
        var open = fieldPath.IndexOf("['", StringComparison.Ordinal);
        if (open < 0)
        {
            return false;
        }
        path = fieldPath[..open];
        key = fieldPath[(open + 2)..^2];
        return true;
    }
}
