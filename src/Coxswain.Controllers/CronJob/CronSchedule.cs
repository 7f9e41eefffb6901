using Cronos;

namespace Coxswain.Controllers.CronJob;

/// <summary>
/// A CronJob schedule (what upstream parses with robfig/cron ParseStandard): five fields (minute hour
/// day-of-month month day-of-week) or one of the macros @yearly, @annually, @monthly, @weekly, @daily,
/// @midnight, @hourly, evaluated in a time zone. Parsing and next-occurrence arithmetic (DST included) is Cronos'.
/// As in cron and robfig/cron, a day-of-month and a day-of-week that are both restricted match either one (Cronos
/// alone requires both), so such a schedule is kept as two expressions and the earlier time wins.
/// </summary>
public sealed class CronSchedule
{
    private static readonly HashSet<string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    };

    private readonly CronExpression[] _expressions;

    private CronSchedule(CronExpression[] expressions, TimeZoneInfo zone)
    {
        _expressions = expressions;
        Zone = zone;
    }

    /// <summary>robfig/cron's "star" fields: unrestricted, so the other day field alone decides.</summary>
    private static bool IsStar(string field) => field is "*" or "?" or "*/1";

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
        string[] texts = [text];
        if (!text.StartsWith('@'))
        {
            var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5)
            {
                error = $"expected exactly 5 fields, found {fields.Length}: {text}";
                return false;
            }
            texts = IsStar(fields[2]) || IsStar(fields[4])
                ? [string.Join(' ', fields)]
                : [$"{fields[0]} {fields[1]} {fields[2]} {fields[3]} *", $"{fields[0]} {fields[1]} * {fields[3]} {fields[4]}"];
        }
        try
        {
            result = new CronSchedule(texts.Select(t => CronExpression.Parse(t, CronFormat.Standard)).ToArray(), zone);
            return true;
        }
        catch (CronFormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>The first time strictly after <paramref name="afterUtc"/> (UTC), or null if there is none.</summary>
    public DateTime? Next(DateTime afterUtc)
    {
        DateTime? next = null;
        foreach (var expression in _expressions)
        {
            if (expression.GetNextOccurrence(DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc), Zone, inclusive: false) is { } t && (next == null || t < next))
            {
                next = t;
            }
        }
        return next;
    }

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
