using System.Text.Json;

namespace Coxswain.Api.Errors;

/// <summary>The kinds of field error upstream's field.ErrorType knows, with their wording.</summary>
public enum FieldErrorType
{
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
    TypeInvalid,
}

public static class FieldErrorTypeExtensions
{
    /// <summary>The cause reason string (<c>FieldValueRequired</c>, ...).</summary>
    public static string Reason(this FieldErrorType t) => t switch
    {
        FieldErrorType.NotFound => "FieldValueNotFound",
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.Internal => "InternalError",
        FieldErrorType.TypeInvalid => "FieldValueTypeInvalid",
        _ => "FieldValueInvalid",
    };

    /// <summary>The human phrase (<c>Required value</c>, ...).</summary>
    public static string Phrase(this FieldErrorType t) => t switch
    {
        FieldErrorType.NotFound => "Not found",
        FieldErrorType.Required => "Required value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.Invalid => "Invalid value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.Internal => "Internal error",
        FieldErrorType.TypeInvalid => "Invalid value",
        _ => "Invalid value",
    };
}

/// <summary>
/// One validation failure on one field, printed as upstream does:
/// <c>spec.containers[0].name: Required value</c> or
/// <c>metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must ...</c>.
/// </summary>
public sealed record FieldError(FieldErrorType Type, string Field, object? BadValue = null, string? Detail = null)
{
    public static FieldError Required(string field, string? detail = null) => new(FieldErrorType.Required, field, null, detail);
    public static FieldError Invalid(string field, object? value, string detail) => new(FieldErrorType.Invalid, field, value, detail);
    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);
    public static FieldError Duplicate(string field, object? value) => new(FieldErrorType.Duplicate, field, value);
    public static FieldError NotFound(string field, object? value) => new(FieldErrorType.NotFound, field, value);
    public static FieldError TooLong(string field, object? value, int max) => new(FieldErrorType.TooLong, field, value, $"must have at most {max} bytes");

    public static FieldError NotSupported(string field, object? value, IEnumerable<string> valid) =>
        new(FieldErrorType.NotSupported, field, value, "supported values: " + string.Join(", ", valid.Select(v => $"\"{v}\"")));

    public override string ToString() => $"{Field}: {Body()}";

    /// <summary>The error without its field path, as a Status cause's message carries it.</summary>
    public string Body()
    {
        var s = Type.Phrase();
        var showValue = Type is FieldErrorType.Invalid or FieldErrorType.NotSupported or FieldErrorType.Duplicate
            or FieldErrorType.NotFound or FieldErrorType.TypeInvalid;
        if (showValue)
        {
            s += ": " + FormatValue(BadValue);
        }
        if (!string.IsNullOrEmpty(Detail))
        {
            s += ": " + Detail;
        }
        return s;
    }

    private static string FormatValue(object? v) => v switch
    {
        null => "null",
        string str => JsonSerializer.Serialize(str, GoLike),
        bool b => b ? "true" : "false",
        int or long or double => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
        _ => JsonSerializer.Serialize(v, GoLike),
    };

    /// <summary>Go's %q does not escape HTML characters or non-ASCII text.</summary>
    private static readonly JsonSerializerOptions GoLike = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
