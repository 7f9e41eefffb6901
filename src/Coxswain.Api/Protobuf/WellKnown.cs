using System.Globalization;

namespace Coxswain.Api.Protobuf;

/// <summary>
/// The JSON forms of apimachinery's hand-written types: metav1.Time and MicroTime (RFC 3339),
/// metav1.Duration (Go's time.Duration string).
/// </summary>
internal static class WellKnown
{
    /// <summary>Seconds of Go's zero time.Time (0001-01-01T00:00:00Z) since the Unix epoch.</summary>
    public const long GoZeroSeconds = -62135596800;

    private static readonly long MaxSeconds = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;

    /// <summary>metav1.Time: "2006-01-02T15:04:05Z" (seconds precision, UTC).</summary>
    public static string FormatTime(long seconds) =>
        ToDateTime(seconds, 0).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>metav1.MicroTime: "2006-01-02T15:04:05.000000Z".</summary>
    public static string FormatMicroTime(long seconds, int nanos) =>
        ToDateTime(seconds, nanos).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTime ToDateTime(long seconds, int nanos)
    {
        if (seconds < GoZeroSeconds || seconds > MaxSeconds || nanos < 0 || nanos > 999_999_999)
        {
            throw ProtoReader.Malformed($"time {seconds}.{nanos} is out of range");
        }
        return new DateTime(DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanos / 100, DateTimeKind.Utc);
    }

    /// <summary>Parses an RFC 3339 time into Unix seconds and nanoseconds.</summary>
    public static bool TryParseTime(string text, out long seconds, out int nanos)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            seconds = 0;
            nanos = 0;
            return false;
        }
        var ticks = t.UtcTicks - DateTime.UnixEpoch.Ticks;
        seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        nanos = (int)(rest * 100);
        return true;
    }

    /// <summary>Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s".</summary>
    public static string FormatDuration(long duration)
    {
        Span<char> buf = stackalloc char[32];
        var w = buf.Length;
        var u = (ulong)duration;
        var neg = duration < 0;
        if (neg)
        {
            u = 0UL - u;
        }
        if (u < 1_000_000_000UL)
        {
            int prec;
            buf[--w] = 's';
            w--;
            if (u == 0)
            {
                return "0s";
            }
            if (u < 1_000UL)
            {
                prec = 0;
                buf[w] = 'n';
            }
            else if (u < 1_000_000UL)
            {
                prec = 3;
                buf[w] = '\u00b5';
            }
            else
            {
                prec = 6;
                buf[w] = 'm';
            }
            u = FormatFraction(buf, ref w, u, prec);
            FormatInt(buf, ref w, u);
        }
        else
        {
            buf[--w] = 's';
            u = FormatFraction(buf, ref w, u, 9);
            FormatInt(buf, ref w, u % 60);
            u /= 60;
            if (u > 0)
            {
                buf[--w] = 'm';
                FormatInt(buf, ref w, u % 60);
                u /= 60;
                if (u > 0)
                {
                    buf[--w] = 'h';
                    FormatInt(buf, ref w, u);
                }
            }
        }
        if (neg)
        {
            buf[--w] = '-';
        }
        return new string(buf[w..]);
    }

    private static ulong FormatFraction(Span<char> buf, ref int w, ulong v, int prec)
    {
        var print = false;
        for (var i = 0; i < prec; i++)
        {
            var digit = v % 10;
            print = print || digit != 0;
            if (print)
            {
                buf[--w] = (char)('0' + (int)digit);
            }
            v /= 10;
        }
        if (print)
        {
            buf[--w] = '.';
        }
        return v;
    }

    private static void FormatInt(Span<char> buf, ref int w, ulong v)
    {
        if (v == 0)
        {
            buf[--w] = '0';
            return;
        }
        while (v > 0)
        {
            buf[--w] = (char)('0' + (int)(v % 10));
            v /= 10;
        }
    }

    /// <summary>Go's time.ParseDuration: "[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+", or "0".</summary>
    public static bool TryParseDuration(string text, out long duration)
    {
        duration = 0;
        var s = text.AsSpan();
        var neg = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            neg = s[0] == '-';
            s = s[1..];
        }
        if (s is "0")
        {
            return true;
        }
        if (s.IsEmpty)
        {
            return false;
        }
        decimal total = 0;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == 0 || s[..i] is "." || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            s = s[i..];
            var j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }
            decimal unit = s[..j] switch
            {
                "ns" => 1m,
                "us" or "\u00b5s" or "\u03bcs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => 0m,
            };
            if (unit == 0m)
            {
                return false;
            }
            total += number * unit;
            if (total > (neg ? -(decimal)long.MinValue : long.MaxValue))
            {
                return false;
            }
            s = s[j..];
        }
        var whole = decimal.Truncate(total);
        duration = neg ? (long)-whole : (long)whole;
        return true;
    }
}
