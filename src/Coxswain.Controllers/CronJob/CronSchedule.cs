using Cronos;

namespace Coxswain.Controllers.CronJob;

/// <summary>
/// A CronJob schedule (what upstream parses with robfig/cron ParseStandard): five fields (minute hour
/// day-of-month month day-of-week) or one of the macros @yearly, @annually, @monthly, @weekly, @daily,
/// @midnight, @hourly, evaluated in a time zone. Parsing and next-occurrence arithmetic (DST included) is Cronos'.
/// </summary>
public sealed class CronSchedule
{
    private static readonly HashSet<string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    };

    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <paramref name="schedule"/>; the error says why not.</summary>
    public static bool TryParse(string? schedule, TimeZoneInfo zone, out CronSchedule? result, out string? error)
    {
        result = null;
        error = null;
        var text = schedule?.Trim() ?? "";
        if (text.StartsWith('@') && !Macros.Contains(text))
        {
            error = $"unrecognized descriptor: {text}";
            return false;
        }
        if (!text.StartsWith('@'))
        {
            var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5)
            {
                error = $"expected exactly 5 fields, found {fields.Length}: {text}";
                return false;
            }
            text = string.Join(' ', fields);
        }
        try
        {
            result = new CronSchedule(CronExpression.Parse(text, CronFormat.Standard), zone);
            return true;
        }
        catch (CronFormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>The first time strictly after <paramref name="afterUtc"/> (UTC), or null if there is none.</summary>
    public DateTime? Next(DateTime afterUtc) =>
        _expression.GetNextOccurrence(DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc), Zone, inclusive: false);

    /// <summary>
    /// Upstream mostRecentScheduleTime: the latest schedule time in (<paramref name="earliestUtc"/>, <paramref name="nowUtc"/>]
    /// and how many times fell in that interval (capped at 101: upstream warns past 100 missed times).
    /// </summary>
    public (DateTime? MostRecent, int Missed) MostRecent(DateTime earliestUtc, DateTime nowUtc)
    {
        var t = Next(earliestUtc);
        if (t == null || t > nowUtc)
        {
            return (null, 0);
        }
        DateTime mostRecent = t.Value;
        var missed = 1;
        while (missed <= 100 && Next(mostRecent) is { } n && n <= nowUtc)
        {
            mostRecent = n;
            missed++;
        }
        if (missed <= 100)
        {
            return (mostRecent, missed);
        }
        // Too many to walk one by one: find a window before now that holds a time, doubling it from a minute.
        for (var window = TimeSpan.FromMinutes(1); ; window *= 2)
        {
            var from = nowUtc - window;
            var clamped = from <= mostRecent;
            if (clamped || (Next(from) is { } first && first <= nowUtc))
            {
                var cursor = clamped ? mostRecent : Next(from)!.Value;
                while (Next(cursor) is { } n && n <= nowUtc)
                {
                    cursor = n;
                }
                return (cursor, missed);
            }
        }
    }
}
