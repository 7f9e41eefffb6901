using System.Globalization;

namespace Coxswain.Api.Printing;

/// <summary>
/// Upstream's duration.HumanDuration (the AGE format): whole units, truncated, a year of 365 days;
/// more precision for small values (<c>90s</c>, <c>3m20s</c>, <c>3h5m</c>, <c>2d3h</c>, <c>2y45d</c>).
/// </summary>
public static class HumanDuration
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Formats an elapsed duration; more than a second in the future is <c>&lt;invalid&gt;</c>.</summary>
    public static string Format(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }
        if (seconds < 0)
        {
            return "0s";
        }
        if (seconds < 60 * 2)
        {
            return string.Create(Inv, $"{seconds}s");
        }
        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? string.Create(Inv, $"{minutes}m") : string.Create(Inv, $"{minutes}m{s}s");
        }
        if (minutes < 60 * 3)
        {
            return string.Create(Inv, $"{minutes}m");
        }
        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? string.Create(Inv, $"{hours}h") : string.Create(Inv, $"{hours}h{m}m");
        }
        if (hours < 48)
        {
            return string.Create(Inv, $"{hours}h");
        }
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? string.Create(Inv, $"{hours / 24}d") : string.Create(Inv, $"{hours / 24}d{h}h");
        }
        if (hours < 24 * 365 * 2)
        {
            return string.Create(Inv, $"{hours / 24}d");
        }
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? string.Create(Inv, $"{hours / 24 / 365}y") : string.Create(Inv, $"{hours / 24 / 365}y{dy}d");
        }
        return string.Create(Inv, $"{hours / 24 / 365}y");
    }

    /// <summary>
    /// Upstream's translateTimestampSince: <see cref="Format"/> of <c>now − time</c>, or
    /// <c>&lt;unknown&gt;</c> when the timestamp is missing (zero).
    /// </summary>
    public static string Since(DateTime? time, DateTime now) =>
        time is not { } t || t == default ? "<unknown>" : Format(Utc(now) - Utc(t));

    /// <summary>A timestamp as UTC; an unspecified kind is taken to be UTC already.</summary>
    internal static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };
}
