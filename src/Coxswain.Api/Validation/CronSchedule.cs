using System.Globalization;

namespace Coxswain.Api.Validation;

/// <summary>
/// A standard five-field cron schedule ("minute hour day-of-month month day-of-week") or a
/// descriptor (@yearly, @monthly, @weekly, @daily, @hourly, @every 1h30m), parsed with the rules
/// and error texts of the cron library upstream's CronJob uses (robfig/cron v3 ParseStandard).
/// </summary>
public sealed class CronSchedule
{
    private const ulong StarBit = 1UL << 63;

    private static readonly Bounds Minutes = new(0, 59, null);
    private static readonly Bounds Hours = new(0, 23, null);
    private static readonly Bounds Dom = new(1, 31, null);

    private static readonly Bounds Months = new(1, 12, new Dictionary<string, uint>
    {
        ["jan"] = 1, ["feb"] = 2, ["mar"] = 3, ["apr"] = 4, ["may"] = 5, ["jun"] = 6,
        ["jul"] = 7, ["aug"] = 8, ["sep"] = 9, ["oct"] = 10, ["nov"] = 11, ["dec"] = 12,
    });

    private static readonly Bounds Dow = new(0, 6, new Dictionary<string, uint>
    {
        ["sun"] = 0, ["mon"] = 1, ["tue"] = 2, ["wed"] = 3, ["thu"] = 4, ["fri"] = 5, ["sat"] = 6,
    });

    private readonly ulong _minute, _hour, _dom, _month, _dow;
    private readonly TimeSpan? _every;

    private CronSchedule(ulong minute, ulong hour, ulong dom, ulong month, ulong dow, TimeZoneInfo? zone)
    {
        _minute = minute;
        _hour = hour;
        _dom = dom;
        _month = month;
        _dow = dow;
        TimeZone = zone;
    }

    private CronSchedule(TimeSpan every, TimeZoneInfo? zone)
    {
        _every = every;
        TimeZone = zone;
    }

    /// <summary>The zone named by a TZ=/CRON_TZ= prefix, if any.</summary>
    public TimeZoneInfo? TimeZone { get; }

    /// <summary>Parses a schedule; on failure returns null and the library's error text.</summary>
    public static CronSchedule? Parse(string spec, out string? error)
    {
        error = null;
        try
        {
            return ParseOrThrow(spec);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Loads a time zone by IANA name as Go's time.LoadLocation does (UTC for "" and "UTC").</summary>
    public static TimeZoneInfo? LoadZone(string name, out string? error)
    {
        error = null;
        if (name is "" or "UTC")
        {
            return TimeZoneInfo.Utc;
        }
        if (name == "Local")
        {
            return TimeZoneInfo.Local;
        }
        if (name.Contains("..", StringComparison.Ordinal) || name.StartsWith('/') || name.Contains('\\'))
        {
            error = "invalid time zone " + name;
            return null;
        }
        if (TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone))
        {
            return zone;
        }
        error = "unknown time zone " + name;
        return null;
    }

    private static CronSchedule ParseOrThrow(string spec)
    {
        if (spec.Length == 0)
        {
            throw new FormatException("empty spec string");
        }
        TimeZoneInfo? zone = null;
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ');
            var eq = spec.IndexOf('=');
            var name = space < 0 ? spec[(eq + 1)..] : spec[(eq + 1)..space];
            zone = LoadZone(name, out var zoneError);
            if (zone == null)
            {
                throw new FormatException($"provided bad location {name}: {zoneError}");
            }
            spec = space < 0 ? "" : spec[space..].Trim();
        }
        if (spec.StartsWith('@'))
        {
            return ParseDescriptor(spec, zone);
        }
        var fields = spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw new FormatException($"expected exactly 5 fields, found {fields.Length}: [{string.Join(' ', fields)}]");
        }
        return new CronSchedule(
            GetField(fields[0], Minutes),
            GetField(fields[1], Hours),
            GetField(fields[2], Dom),
            GetField(fields[3], Months),
            GetField(fields[4], Dow),
            zone);
    }

    private static CronSchedule ParseDescriptor(string descriptor, TimeZoneInfo? zone)
    {
        switch (descriptor)
        {
            case "@yearly" or "@annually":
                return new CronSchedule(1, 1, 1 << 1, 1 << 1, All(Dow) | StarBit, zone);
            case "@monthly":
                return new CronSchedule(1, 1, 1 << 1, All(Months) | StarBit, All(Dow) | StarBit, zone);
            case "@weekly":
                return new CronSchedule(1, 1, All(Dom) | StarBit, All(Months) | StarBit, 1, zone);
            case "@daily" or "@midnight":
                return new CronSchedule(1, 1, All(Dom) | StarBit, All(Months) | StarBit, All(Dow) | StarBit, zone);
            case "@hourly":
                return new CronSchedule(1, All(Hours) | StarBit, All(Dom) | StarBit, All(Months) | StarBit, All(Dow) | StarBit, zone);
        }
        const string every = "@every ";
        if (descriptor.StartsWith(every, StringComparison.Ordinal))
        {
            var text = descriptor[every.Length..];
            if (!GoDuration.TryParse(text, out var duration, out var err))
            {
                throw new FormatException($"failed to parse duration {descriptor}: {err}");
            }
            return new CronSchedule(duration, zone);
        }
        throw new FormatException($"unrecognized descriptor: {descriptor}");
    }

    private static ulong All(Bounds b) => Bits(b.Min, b.Max, 1);

    private static ulong GetField(string field, Bounds bounds)
    {
        ulong bits = 0;
        foreach (var expr in field.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            bits |= GetRange(expr, bounds);
        }
        return bits;
    }

    private static ulong GetRange(string expr, Bounds r)
    {
        var rangeAndStep = expr.Split('/');
        var lowAndHigh = rangeAndStep[0].Split('-');
        var singleDigit = lowAndHigh.Length == 1;
        uint start, end, step;
        ulong extra = 0;
        if (lowAndHigh[0] is "*" or "?")
        {
            start = r.Min;
            end = r.Max;
            extra = StarBit;
        }
        else
        {
            start = ParseIntOrName(lowAndHigh[0], r.Names);
            end = lowAndHigh.Length switch
            {
                1 => start,
                2 => ParseIntOrName(lowAndHigh[1], r.Names),
                _ => throw new FormatException($"too many hyphens: {expr}"),
            };
        }
        switch (rangeAndStep.Length)
        {
            case 1:
                step = 1;
                break;
            case 2:
                step = MustParseInt(rangeAndStep[1]);
                if (singleDigit)
                {
                    end = r.Max;
                }
                if (step > 1)
                {
                    extra = 0;
                }
                break;
            default:
                throw new FormatException($"too many slashes: {expr}");
        }
        if (start < r.Min)
        {
            throw new FormatException($"beginning of range ({start}) below minimum ({r.Min}): {expr}");
        }
        if (end > r.Max)
        {
            throw new FormatException($"end of range ({end}) above maximum ({r.Max}): {expr}");
        }
        if (start > end)
        {
            throw new FormatException($"beginning of range ({start}) beyond end of range ({end}): {expr}");
        }
        if (step == 0)
        {
            throw new FormatException($"step of range should be a positive number: {expr}");
        }
        return Bits(start, end, step) | extra;
    }

    private static uint ParseIntOrName(string expr, IReadOnlyDictionary<string, uint>? names)
    {
        if (names != null && names.TryGetValue(expr.ToLowerInvariant(), out var named))
        {
            return named;
        }
        return MustParseInt(expr);
    }

    private static uint MustParseInt(string expr)
    {
        // Go's strconv.Atoi: optional sign, decimal digits only.
        var digits = expr.StartsWith('+') || expr.StartsWith('-') ? expr[1..] : expr;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            throw new FormatException($"failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": invalid syntax");
        }
        if (!long.TryParse(expr, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var num) || num > int.MaxValue || num < int.MinValue)
        {
            throw new FormatException($"failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": value out of range");
        }
        if (num < 0)
        {
            throw new FormatException($"negative number ({num}) not allowed: {expr}");
        }
        return (uint)num;
    }

    private static ulong Bits(uint min, uint max, uint step)
    {
        ulong bits = 0;
        for (var i = min; i <= max; i += step)
        {
            bits |= 1UL << (int)i;
        }
        return bits;
    }

    /// <summary>
    /// The first activation strictly after <paramref name="after"/> (UTC), evaluated in the given
    /// zone (or the schedule's TZ prefix, else UTC); null when none exists within five years.
    /// </summary>
    public DateTime? Next(DateTime after, TimeZoneInfo? zone = null)
    {
        after = DateTime.SpecifyKind(after, DateTimeKind.Utc);
        if (_every is { } every)
        {
            var step = every < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Floor(every.TotalSeconds));
            var t = after.AddTicks(-(after.Ticks % TimeSpan.TicksPerSecond));
            return t + step;
        }
        zone ??= TimeZone ?? TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTimeFromUtc(after, zone);
        var t0 = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        var limit = t0.AddYears(5);
        var cur = t0;
        while (cur < limit)
        {
            if ((1UL << cur.Month & _month) == 0)
            {
                cur = new DateTime(cur.Year, cur.Month, 1).AddMonths(1);
                continue;
            }
            if (!DayMatches(cur))
            {
                cur = cur.Date.AddDays(1);
                continue;
            }
            if ((1UL << cur.Hour & _hour) == 0)
            {
                cur = cur.Date.AddHours(cur.Hour + 1);
                continue;
            }
            if ((1UL << cur.Minute & _minute) == 0)
            {
                cur = cur.AddMinutes(1);
                continue;
            }
            if (zone.IsInvalidTime(cur))
            {
                cur = cur.AddMinutes(1);
                continue;
            }
            return TimeZoneInfo.ConvertTimeToUtc(cur, zone);
        }
        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var domMatch = (1UL << t.Day & _dom) > 0;
        var dowMatch = (1UL << (int)t.DayOfWeek & _dow) > 0;
        if ((_dom & StarBit) > 0 || (_dow & StarBit) > 0)
        {
            return domMatch && dowMatch;
        }
        return domMatch || dowMatch;
    }

    private sealed record Bounds(uint Min, uint Max, IReadOnlyDictionary<string, uint>? Names);
}

/// <summary>Go's time.ParseDuration ("1h30m", "90s", "1.5h"), with its error texts.</summary>
public static class GoDuration
{
    private static readonly Dictionary<string, double> Units = new()
    {
        ["ns"] = 1e-9, ["us"] = 1e-6, ["µs"] = 1e-6, ["μs"] = 1e-6, ["ms"] = 1e-3, ["s"] = 1, ["m"] = 60, ["h"] = 3600,
    };

    public static bool TryParse(string s, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var quoted = "\"" + s + "\"";
        var neg = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            neg = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
        {
            return true;
        }
        if (s.Length == 0)
        {
            error = "time: invalid duration " + quoted;
            return false;
        }
        double seconds = 0;
        while (s.Length > 0)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                error = "time: invalid duration " + quoted;
                return false;
            }
            s = s[i..];
            var j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }
            var unit = s[..j];
            if (unit.Length == 0)
            {
                error = "time: missing unit in duration " + quoted;
                return false;
            }
            if (!Units.TryGetValue(unit, out var factor))
            {
                error = $"time: unknown unit \"{unit}\" in duration {quoted}";
                return false;
            }
            seconds += n * factor;
            s = s[j..];
        }
        value = TimeSpan.FromSeconds(neg ? -seconds : seconds);
        return true;
    }
}
