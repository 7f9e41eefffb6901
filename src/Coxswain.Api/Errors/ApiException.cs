using k8s.Models;

namespace Coxswain.Api.Errors;

/// <summary>
/// An error that reaches the client as a metav1.Status with an HTTP code and a reason, the way
/// upstream's apierrors package builds them. Throw it anywhere in request handling.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, V1StatusDetails? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }
    public string Reason { get; }
    public V1StatusDetails? Details { get; }

    /// <summary>For 410 on an expired continue token: a token that continues the list inconsistently.</summary>
    public string? Continue { get; init; }

    public V1Status ToStatus() => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta { ContinueProperty = Continue },
        Status = "Failure",
        Message = Message,
        Reason = Reason,
        Details = Details,
        Code = Code,
    };

    private static V1StatusDetails Named(string resource, string? group, string name) =>
        new() { Name = name, Group = string.IsNullOrEmpty(group) ? null : group, Kind = resource };

    private static string Qualified(string resource, string? group) =>
        string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}";

    public static ApiException NotFound(string resource, string? group, string name) =>
        new(404, "NotFound", $"{Qualified(resource, group)} \"{name}\" not found", Named(resource, group, name));

    public static ApiException AlreadyExists(string resource, string? group, string name) =>
        new(409, "AlreadyExists", $"{Qualified(resource, group)} \"{name}\" already exists", Named(resource, group, name));

    public static ApiException Conflict(string resource, string? group, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource, group)} \"{name}\": {why}", Named(resource, group, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {contentType})");

    public static ApiException RequestEntityTooLarge(string message) => new(413, "RequestEntityTooLarge", message);

    public static ApiException Forbidden(string resource, string? group, string name, string why) =>
        new(403, "Forbidden", $"{Qualified(resource, group)} \"{name}\" is forbidden: {why}", Named(resource, group, name));

    public static ApiException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    public static ApiException Timeout(string message) => new(504, "Timeout", message);

    /// <summary>422 Invalid: <c>Kind "name" is invalid: [field: Reason: detail, ...]</c>.</summary>
    public static ApiException Invalid(string kind, string? group, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = errors.Select(e => new V1StatusCause { Field = e.Field, Reason = e.Type.Reason(), Message = e.Body() }).ToList();
        var joined = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var qualified = string.IsNullOrEmpty(group) ? kind : $"{kind}.{group}";
        return new ApiException(422, "Invalid", $"{qualified} \"{name}\" is invalid: {joined}",
            new V1StatusDetails { Name = name, Group = string.IsNullOrEmpty(group) ? null : group, Kind = kind, Causes = causes });
    }
}
