using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Coxswain.Controllers.Common;

/// <summary>What an API call's exception means (the official client throws HttpOperationException).</summary>
public static class ApiErrors
{
    public static HttpStatusCode? Code(Exception e) => (e as HttpOperationException)?.Response?.StatusCode;

    public static bool IsNotFound(Exception e) => Code(e) == HttpStatusCode.NotFound;

    public static bool IsConflict(Exception e) => Code(e) == HttpStatusCode.Conflict;

    public static bool IsAlreadyExists(Exception e) => Code(e) == HttpStatusCode.Conflict && Reason(e) == "AlreadyExists";

    /// <summary>The Status reason of the answer, if it was a Status.</summary>
    public static string? Reason(Exception e) => Status(e)?.TryGetProperty("reason", out var r) == true ? r.GetString() : null;

    /// <summary>The Status message of the answer, else the exception's message.</summary>
    public static string Message(Exception e) =>
        Status(e)?.TryGetProperty("message", out var m) == true ? m.GetString() ?? e.Message : e.Message;

    private static JsonElement? Status(Exception e)
    {
        var content = (e as HttpOperationException)?.Response?.Content;
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(content);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
