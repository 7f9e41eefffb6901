using System.Text.Json;
using k8s.Models;

namespace Coxswain.Api.Errors;

/// <summary>
/// Writes metav1.Status as JSON. (The official model's converter only reads Status, so it is
/// written by hand here.)
/// </summary>
public static class StatusJson
{
    public static byte[] Encode(V1Status status)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            Write(w, status);
        }
        return stream.ToArray();
    }

    public static void Write(Utf8JsonWriter w, V1Status s)
    {
        w.WriteStartObject();
        w.WriteString("kind", "Status");
        w.WriteString("apiVersion", "v1");
        w.WriteStartObject("metadata");
        if (!string.IsNullOrEmpty(s.Metadata?.ContinueProperty))
        {
            w.WriteString("continue", s.Metadata.ContinueProperty);
        }
        w.WriteEndObject();
        WriteIf(w, "status", s.Status);
        WriteIf(w, "message", s.Message);
        WriteIf(w, "reason", s.Reason);
        if (s.Details != null)
        {
            var d = s.Details;
            w.WriteStartObject("details");
            WriteIf(w, "name", d.Name);
            WriteIf(w, "group", d.Group);
            WriteIf(w, "kind", d.Kind);
            WriteIf(w, "uid", d.Uid);
            if (d.Causes is { Count: > 0 })
            {
                w.WriteStartArray("causes");
                foreach (var c in d.Causes)
                {
                    w.WriteStartObject();
                    WriteIf(w, "reason", c.Reason);
                    WriteIf(w, "message", c.Message);
                    WriteIf(w, "field", c.Field);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (d.RetryAfterSeconds is int retry)
            {
                w.WriteNumber("retryAfterSeconds", retry);
            }
            w.WriteEndObject();
        }
        if (s.Code is int code)
        {
            w.WriteNumber("code", code);
        }
        w.WriteEndObject();
    }

    private static void WriteIf(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }
}
