using System.Net;
using k8s.Models;

namespace Coxswain.Client;

/// <summary>
/// A request the API server answered with an error <see cref="V1Status"/>. List/watch callers need the code to tell
/// "resume" from "relist" (410 Gone), so the status is kept rather than flattened into a message.
/// </summary>
public sealed class ApiStatusException(HttpStatusCode code, V1Status? status, string message) : Exception(message)
{
    /// <summary>The HTTP status code (or the Status code of a watch ERROR event).</summary>
    public HttpStatusCode StatusCode { get; } = code;

    /// <summary>The server's Status object, when it sent one.</summary>
    public V1Status? Status { get; } = status;

    /// <summary>True for 410 Gone / reason Expired: the requested resourceVersion was compacted; relist.</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone || Status?.Code == 410 || Status?.Reason is "Expired" or "Gone";
}
