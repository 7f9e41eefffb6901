using Coxswain.Api.Errors;
using k8s.Models;

namespace Coxswain.Api.Patching;

/// <summary>The Status errors the API server answers for patches that cannot be applied.</summary>
internal static class PatchErrors
{
    /// <summary>Key of <see cref="Exception.Data"/> holding the detailed reason that upstream does not send.</summary>
    public const string DetailKey = "detail";

    /// <summary>
    /// 422 Invalid with the generic wording of <c>NewGenericServerResponse(422, ...)</c>: upstream answers a
    /// JSON patch operation that does not apply (and a few strategic merge patch errors) this way and
    /// does not send the reason. The reason is kept in <c>Data["detail"]</c> for logs.
    /// </summary>
    public static ApiException Rejected(string detail)
    {
        var e = new ApiException(422, "Invalid", "the server rejected our request due to an error in our request", new V1StatusDetails());
        e.Data[DetailKey] = detail;
        return e;
    }

    /// <summary>
    /// An error that is not a Status in upstream (a plain Go error): the API server turns it into a
    /// 500 with an empty reason and the error text as message.
    /// </summary>
    public static ApiException Unknown(string message) => new(500, "", message);
}

/// <summary>An internal failure of a patch step, carrying upstream's error text and how it is answered.</summary>
internal sealed class PatchFailure : Exception
{
    public PatchFailure(string message, PatchFailureKind kind = PatchFailureKind.Unknown)
        : base(message)
    {
        Kind = kind;
    }

    public PatchFailureKind Kind { get; }

    public ApiException ToApiException() => Kind switch
    {
        PatchFailureKind.BadRequest => ApiException.BadRequest(Message),
        PatchFailureKind.Rejected => PatchErrors.Rejected(Message),
        _ => PatchErrors.Unknown(Message),
    };
}

internal enum PatchFailureKind
{
    /// <summary>500 with the message (upstream returns a plain error).</summary>
    Unknown,
    /// <summary>400 BadRequest with the message.</summary>
    BadRequest,
    /// <summary>422 Invalid with the generic message.</summary>
    Rejected,
}
