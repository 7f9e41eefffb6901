using Coxswain.Api.Errors;
using k8s.Models;

namespace Coxswain.Api.Validation;

/// <summary>
/// Field-level validators shared by every kind, each returning upstream-worded field errors for
/// one field path (<c>spec.containers[0].name</c>).
/// </summary>
public static class FieldChecks
{
    public const string FieldImmutable = "field is immutable";
    public const string IsNegative = "must be greater than or equal to 0";

    public static IEnumerable<FieldError> Messages(string path, object? value, IEnumerable<string> messages) =>
        messages.Select(m => FieldError.Invalid(path, ObjectJson.Shown(value), m));

    public static IEnumerable<FieldError> DNS1123Label(string value, string path) =>
        Messages(path, value, ValidationRules.IsDNS1123Label(value));

    public static IEnumerable<FieldError> DNS1123Subdomain(string value, string path) =>
        Messages(path, value, ValidationRules.IsDNS1123Subdomain(value));

    public static IEnumerable<FieldError> QualifiedName(string value, string path) =>
        Messages(path, value, ValidationRules.IsQualifiedName(value));

    public static IEnumerable<FieldError> NonNegative(long value, string path) =>
        value < 0 ? [FieldError.Invalid(path, value, IsNegative)] : [];

    public static IEnumerable<FieldError> NonNegative(long? value, string path) =>
        value is < 0 ? [FieldError.Invalid(path, value.Value, IsNegative)] : [];

    /// <summary>A port given as number (1-65535) or IANA name.</summary>
    public static IEnumerable<FieldError> PortNumOrName(IntOrString? port, string path)
    {
        if (IntOrStrings.IsInt(port, out var n))
        {
            return Messages(path, n, ValidationRules.IsValidPortNum(n));
        }
        var s = port?.Value ?? "";
        return Messages(path, s, ValidationRules.IsValidPortName(s));
    }

    /// <summary><c>field is immutable</c> when the new value differs semantically from the old one.</summary>
    public static IEnumerable<FieldError> Immutable(object? newValue, object? oldValue, string path) =>
        ObjectJson.SemanticEquals(newValue, oldValue) ? [] : [FieldError.Invalid(path, ObjectJson.Shown(newValue), FieldImmutable)];

    /// <summary><c>Too long: must have at most N bytes</c> (the value is never shown).</summary>
    public static FieldError TooLong(string path, int max) =>
        new(FieldErrorType.TooLong, path, null, $"must have at most {max} bytes");

    /// <summary><c>Too many: n: must have at most N items</c>.</summary>
    public static FieldError TooMany(string path, int actual, int max) =>
        new(FieldErrorType.TooMany, path, null, $"{actual}: must have at most {max} items");

    /// <summary>NotSupported with the valid values sorted, as upstream does for sets.</summary>
    public static FieldError NotSupportedSorted(string path, object? value, IEnumerable<string> valid) =>
        FieldError.NotSupported(path, ObjectJson.Shown(value), valid.OrderBy(v => v, StringComparer.Ordinal));

    /// <summary>NotSupported with the valid values in the given order.</summary>
    public static FieldError NotSupported(string path, object? value, params string[] valid) =>
        FieldError.NotSupported(path, ObjectJson.Shown(value), valid);

    public static FieldError Invalid(string path, object? value, string detail) =>
        FieldError.Invalid(path, ObjectJson.Shown(value), detail);

    public static FieldError Duplicate(string path, object? value) => FieldError.Duplicate(path, ObjectJson.Shown(value));

    public static FieldError NotFound(string path, object? value) => FieldError.NotFound(path, ObjectJson.Shown(value));

    /// <summary>Child path helper: <c>Child("spec", "replicas")</c> = <c>spec.replicas</c>; an empty parent yields the child.</summary>
    public static string Child(string parent, string child) => parent.Length == 0 ? child : parent + "." + child;

    public static string Index(string parent, int i) => $"{parent}[{i}]";

    public static string Key(string parent, string key) => $"{parent}[{key}]";
}
