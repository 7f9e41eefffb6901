using System.Globalization;
using System.Text.Json;

namespace Coxswain.ApiServer.Registry;

/// <summary>
/// Stored objects carry no resourceVersion (it is the store revision, known only after the
/// write). On the way out it is spliced into the JSON bytes right after <c>"metadata":{</c>,
/// which saves a decode and encode on every read.
/// </summary>
internal static class ObjectBytes
{
    private static ReadOnlySpan<byte> RvProperty => "\"resourceVersion\":\""u8;

    /// <summary>The object JSON with metadata.resourceVersion set to <paramref name="revision"/>.</summary>
    public static byte[] WithResourceVersion(byte[] stored, long revision)
    {
        var metadataOpen = FindMetadataObjectStart(stored);
        if (metadataOpen < 0)
        {
            return stored;
        }
        Span<byte> digits = stackalloc byte[20];
        revision.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
        var empty = stored[metadataOpen + 1] == (byte)'}';
        var extra = RvProperty.Length + n + 1 + (empty ? 0 : 1);
        var result = new byte[stored.Length + extra];
        var at = metadataOpen + 1;
        stored.AsSpan(0, at).CopyTo(result);
        var w = at;
        RvProperty.CopyTo(result.AsSpan(w));
        w += RvProperty.Length;
        digits[..n].CopyTo(result.AsSpan(w));
        w += n;
        result[w++] = (byte)'"';
        if (!empty)
        {
            result[w++] = (byte)',';
        }
        stored.AsSpan(at).CopyTo(result.AsSpan(w));
        return result;
    }

    /// <summary>
    /// The object as a list item: resourceVersion set, top-level apiVersion and kind left out
    /// (upstream's list items carry no TypeMeta).
    /// </summary>
    public static byte[] AsListItem(byte[] stored, long revision)
    {
        var withRv = WithResourceVersion(stored, revision);
        var drop = new List<(int Start, int End)>(2);
        var reader = new Utf8JsonReader(withRv, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return withRv;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var typeMeta = reader.ValueTextEquals("apiVersion"u8) || reader.ValueTextEquals("kind"u8);
            reader.Read();
            reader.Skip();
            if (typeMeta)
            {
                drop.Add((start, (int)reader.BytesConsumed));
            }
        }
        if (drop.Count == 0)
        {
            return withRv;
        }
        // Stored JSON is compact: each property is followed by ',' unless it is the last one.
        var result = new List<byte>(withRv.Length);
        var at = 0;
        foreach (var (start, end) in drop)
        {
            var cutStart = start;
            var cutEnd = end;
            if (withRv[cutEnd] == (byte)',')
            {
                cutEnd++;
            }
            else if (withRv[cutStart - 1] == (byte)',')
            {
                cutStart--;
            }
            result.AddRange(withRv.AsSpan(at, cutStart - at));
            at = cutEnd;
        }
        result.AddRange(withRv.AsSpan(at));
        return [.. result];
    }

    /// <summary>Index of the '{' that opens the top-level "metadata" object, or -1.</summary>
    private static int FindMetadataObjectStart(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return -1;
        }
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return -1;
            }
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (isMetadata)
            {
                return reader.TokenType == JsonTokenType.StartObject ? (int)reader.TokenStartIndex : -1;
            }
            reader.Skip();
        }
        return -1;
    }
}
