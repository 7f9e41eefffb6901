using System.Globalization;
using System.Text;

namespace Coxswain.Kubelet.Streaming.Logs;

/// <summary>
/// One line of a CRI container log file: <c>&lt;RFC3339Nano&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;text&gt;</c>.
/// A P (partial) line is a chunk of a longer line that continues in the next file line.
/// </summary>
/// <remarks><see cref="Nanoseconds"/> keeps the fraction exactly: DateTimeOffset has only 100 ns ticks.</remarks>
internal readonly record struct CriLogLine(DateTimeOffset Time, int Nanoseconds, string Stream, bool Partial, ReadOnlyMemory<byte> Content)
{
    /// <summary>Parses one file line without its trailing newline; false when it is not in CRI format.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> line, out CriLogLine parsed)
    {
        parsed = default;
        var span = line.Span;
        var firstSpace = span.IndexOf((byte)' ');
        if (firstSpace <= 0)
        {
            return false;
        }
        var stamp = Encoding.ASCII.GetString(span[..firstSpace]);
        if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return false;
        }
        var rest = span[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return false;
        }
        var stream = Encoding.ASCII.GetString(rest[..secondSpace]);
        var tagStart = firstSpace + 1 + secondSpace + 1;
        var tags = span[tagStart..];
        var tagEnd = tags.IndexOf((byte)' ');
        var tag = tagEnd < 0 ? tags : tags[..tagEnd];
        if (tag.Length == 0)
        {
            return false;
        }
        // Tags are ':'-separated; the first says partial (P) or full (F).
        var partial = tag[0] == (byte)'P';
        var content = tagEnd < 0 ? ReadOnlyMemory<byte>.Empty : line[(tagStart + tagEnd + 1)..];
        parsed = new CriLogLine(time, FractionNanoseconds(stamp), stream, partial, content);
        return true;
    }

    /// <summary>Upstream's fixed-width RFC 3339 with nanoseconds, as `kubectl logs --timestamps` prints.</summary>
    public static string FormatTimestamp(DateTimeOffset time, int nanoseconds) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + nanoseconds.ToString("D9", CultureInfo.InvariantCulture) + "Z";

    private static int FractionNanoseconds(string stamp)
    {
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return 0;
        }
        var end = dot + 1;
        while (end < stamp.Length && char.IsAsciiDigit(stamp[end]))
        {
            end++;
        }
        var digits = stamp[(dot + 1)..end];
        digits = digits.Length > 9 ? digits[..9] : digits.PadRight(9, '0');
        return int.Parse(digits, CultureInfo.InvariantCulture);
    }
}
