using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Coxswain.Kubelet.Streaming.Logs;

/// <summary>The query of a container log request (upstream's PodLogOptions, as the kubelet receives it).</summary>
internal sealed record LogOptions
{
    public bool Follow { get; init; }
    public bool Previous { get; init; }
    public bool Timestamps { get; init; }
    public long? TailLines { get; init; }
    public long? LimitBytes { get; init; }
    /// <summary>Entries older than this are skipped (from sinceSeconds or sinceTime).</summary>
    public DateTimeOffset? Since { get; init; }

    public static LogOptions Parse(IQueryCollection query, DateTimeOffset now)
    {
        var options = new LogOptions
        {
            Follow = Flag(query, "follow"),
            Previous = Flag(query, "previous"),
            Timestamps = Flag(query, "timestamps"),
            TailLines = Number(query, "tailLines"),
            LimitBytes = Number(query, "limitBytes"),
        };
        if (Number(query, "sinceSeconds") is { } seconds)
        {
            return options with { Since = now.AddSeconds(-seconds) };
        }
        var sinceTime = query["sinceTime"].ToString();
        if (sinceTime.Length > 0)
        {
            return DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
                ? options with { Since = since }
                : throw StreamingRequestException.BadRequest($"invalid sinceTime {sinceTime}");
        }
        return options;
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query[name].ToString() is "true" or "1" or "True";

    private static long? Number(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw StreamingRequestException.BadRequest($"invalid {name} {text}");
    }
}
