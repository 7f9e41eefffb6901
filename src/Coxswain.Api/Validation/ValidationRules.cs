using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Coxswain.Api.Resources;

namespace Coxswain.Api.Validation;

/// <summary>
/// Upstream's string validators (apimachinery util/validation and api/validate/content): each
/// returns the list of problems with a value, worded exactly as upstream words them, or an empty
/// list when the value is valid. Callers turn the messages into field errors.
/// </summary>
public static partial class ValidationRules
{
    public const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    public const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    public const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    public const string LabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    public const string LabelValueFmt = "(" + LabelKeyFmt + ")?";
    public const string ConfigMapKeyFmt = "[-._a-zA-Z0-9]+";
    public const string PercentFmt = "[0-9]+%";
    public const string HttpHeaderNameFmt = "[-A-Za-z0-9]+";
    public const string CIdentifierFmt = "[A-Za-z_][A-Za-z0-9_]*";

    public const int Dns1123LabelMaxLength = 63;
    public const int Dns1123SubdomainMaxLength = 253;
    public const int Dns1035LabelMaxLength = 63;
    public const int LabelValueMaxLength = 63;
    public const int LabelKeyNameMaxLength = 63;

    private const string Dns1123LabelErrMsg =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainErrMsg =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035LabelErrMsg =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private const string LabelKeyErrMsg =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueErrMsg =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string ConfigMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
    private const string PercentErrMsg = "a valid percent string must be a numeric string followed by an ending '%'";
    private const string HttpHeaderNameErrMsg = "a valid HTTP header must consist of alphanumeric characters or '-'";
    private const string CIdentifierErrMsg =
        "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";
    private const string EnvVarNameErrMsg =
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
    private const string RelaxedEnvVarNameErrMsg =
        "a valid environment variable name must consist only of printable ASCII characters other than '='";

    // Go's regexp '$' matches only at the very end; .NET's matches before a final '\n', so anchor with \z.
    [GeneratedRegex("^(?:" + Dns1123LabelFmt + ")\\z")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^(?:" + Dns1123SubdomainFmt + ")\\z")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^(?:" + Dns1035LabelFmt + ")\\z")]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^(?:" + LabelKeyFmt + ")\\z")]
    private static partial Regex LabelKeyRegex();

    [GeneratedRegex("^(?:" + LabelValueFmt + ")\\z")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^(?:" + ConfigMapKeyFmt + ")\\z")]
    private static partial Regex ConfigMapKeyRegex();

    [GeneratedRegex("^(?:" + PercentFmt + ")\\z")]
    private static partial Regex PercentRegex();

    [GeneratedRegex("^(?:" + HttpHeaderNameFmt + ")\\z")]
    private static partial Regex HttpHeaderNameRegex();

    [GeneratedRegex("^(?:" + CIdentifierFmt + ")\\z")]
    private static partial Regex CIdentifierRegex();

    [GeneratedRegex("^(?:[-._a-zA-Z][-._a-zA-Z0-9]*)\\z")]
    private static partial Regex EnvVarNameRegex();

    [GeneratedRegex("^[-a-z0-9]+\\z")]
    private static partial Regex PortNameCharsetRegex();

    [GeneratedRegex("[a-z]")]
    private static partial Regex PortNameOneLetterRegex();

    // ---- message builders (apimachinery content/errors.go) ----

    public static string MaxLenError(int length) => $"must be no more than {length} characters";

    public static string EmptyError() => "must be non-empty";

    public static string InclusiveRangeError(long lo, long hi) => $"must be between {lo} and {hi}, inclusive";

    public static string MinError(long min) => $"must be greater than or equal to {min}";

    /// <summary>upstream's RegexError: <c>msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')</c>.</summary>
    public static string RegexError(string msg, string fmt, params string[] examples)
    {
        if (examples.Length == 0)
        {
            return msg + " (regex used for validation is '" + fmt + "')";
        }
        var s = msg + " (e.g. ";
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                s += " or ";
            }
            s += "'" + examples[i] + "', ";
        }
        return s + "regex used for validation is '" + fmt + "')";
    }

    // ---- names ----

    public static List<string> IsDNS1123Label(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1123LabelMaxLength)
        {
            errs.Add(MaxLenError(Dns1123LabelMaxLength));
        }
        if (!Dns1123LabelRegex().IsMatch(value))
        {
            // A valid subdomain of the right length can only have failed because of dots.
            errs.Add(Dns1123SubdomainRegex().IsMatch(value)
                ? "must not contain dots"
                : RegexError(Dns1123LabelErrMsg, Dns1123LabelFmt, "my-name", "123-abc"));
        }
        return errs;
    }

    public static List<string> IsDNS1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        }
        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errs.Add(RegexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
        }
        return errs;
    }

    public static List<string> IsDNS1035Label(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1035LabelMaxLength)
        {
            errs.Add(MaxLenError(Dns1035LabelMaxLength));
        }
        if (!Dns1035LabelRegex().IsMatch(value))
        {
            errs.Add(RegexError(Dns1035LabelErrMsg, Dns1035LabelFmt, "my-name", "abc-123"));
        }
        return errs;
    }

    /// <summary>
    /// A qualified name (label key): optional DNS-subdomain prefix and '/', then a name of at most
    /// 63 characters.
    /// </summary>
    public static List<string> IsQualifiedName(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errs.Add("prefix part " + EmptyError());
                }
                else
                {
                    errs.AddRange(IsDNS1123Subdomain(prefix).Select(m => "prefix part " + m));
                }
                break;
            default:
                errs.Add("a valid label key " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
        }
        if (name.Length == 0)
        {
            errs.Add("name part " + EmptyError());
        }
        else if (name.Length > LabelKeyNameMaxLength)
        {
            errs.Add("name part " + MaxLenError(LabelKeyNameMaxLength));
        }
        if (!LabelKeyRegex().IsMatch(name))
        {
            errs.Add("name part " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    public static List<string> IsValidLabelValue(string value)
    {
        var errs = new List<string>();
        if (value.Length > LabelValueMaxLength)
        {
            errs.Add(MaxLenError(LabelValueMaxLength));
        }
        if (!LabelValueRegex().IsMatch(value))
        {
            errs.Add(RegexError(LabelValueErrMsg, LabelValueFmt, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    /// <summary>Names that are used as one segment of a URL path (RBAC objects): not '.', '..', no '/' or '%'.</summary>
    public static List<string> IsValidPathSegmentName(string name)
    {
        if (name is "." or "..")
        {
            return [$"may not be '{name}'"];
        }
        return IsValidPathSegmentPrefix(name);
    }

    public static List<string> IsValidPathSegmentPrefix(string name)
    {
        var errs = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                errs.Add($"may not contain '{illegal}'");
            }
        }
        return errs;
    }

    /// <summary>
    /// Name validation by rule, as upstream's ValidateNameFunc: with <paramref name="prefix"/> the
    /// value is a generateName prefix and a trailing '-' is masked before checking.
    /// </summary>
    public static List<string> NameIs(NameRule rule, string name, bool prefix)
    {
        if (rule == NameRule.PathSegment)
        {
            return prefix ? IsValidPathSegmentPrefix(name) : IsValidPathSegmentName(name);
        }
        if (prefix)
        {
            name = MaskTrailingDash(name);
        }
        return rule switch
        {
            NameRule.Label => IsDNS1123Label(name),
            NameRule.Rfc1035Label => IsDNS1035Label(name),
            _ => IsDNS1123Subdomain(name),
        };
    }

    /// <summary>upstream's maskTrailingDash: a generateName may end in '-' because a suffix follows.</summary>
    private static string MaskTrailingDash(string name)
    {
        if (name.Length <= 1 || name[^1] != '-')
        {
            return name;
        }
        return name.Length == 2 ? name[..1] + "a" : name[..^2] + "a";
    }

    // ---- other formats ----

    public static List<string> IsConfigMapKey(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        }
        if (!ConfigMapKeyRegex().IsMatch(value))
        {
            errs.Add(RegexError(ConfigMapKeyErrMsg, ConfigMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
        }
        if (value == ".")
        {
            errs.Add("must not be '.'");
        }
        else if (value == "..")
        {
            errs.Add("must not be '..'");
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            errs.Add("must not start with '..'");
        }
        return errs;
    }

    public static List<string> IsValidPortNum(long port) =>
        port is >= 1 and <= 65535 ? [] : [InclusiveRangeError(1, 65535)];

    /// <summary>IANA_SVC_NAME: at most 15 characters of [-a-z0-9], at least one letter, no leading, trailing or double hyphen.</summary>
    public static List<string> IsValidPortName(string port)
    {
        var errs = new List<string>();
        if (port.Length > 15)
        {
            errs.Add(MaxLenError(15));
        }
        if (!PortNameCharsetRegex().IsMatch(port))
        {
            errs.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!PortNameOneLetterRegex().IsMatch(port))
        {
            errs.Add("must contain at least one letter (a-z)");
        }
        if (port.Contains("--", StringComparison.Ordinal))
        {
            errs.Add("must not contain consecutive hyphens");
        }
        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errs.Add("must not begin or end with a hyphen");
        }
        return errs;
    }

    public static List<string> IsValidPercent(string percent) =>
        PercentRegex().IsMatch(percent) ? [] : [RegexError(PercentErrMsg, PercentFmt, "1%", "93%")];

    public static List<string> IsHTTPHeaderName(string value) =>
        HttpHeaderNameRegex().IsMatch(value) ? [] : [RegexError(HttpHeaderNameErrMsg, HttpHeaderNameFmt, "X-Header-Name")];

    public static List<string> IsCIdentifier(string value) =>
        CIdentifierRegex().IsMatch(value) ? [] : [RegexError(CIdentifierErrMsg, CIdentifierFmt, "my_name", "MY_NAME", "MyName")];

    /// <summary>The strict environment variable name rule (used before relaxed validation went GA).</summary>
    public static List<string> IsEnvVarName(string value)
    {
        var errs = new List<string>();
        if (!EnvVarNameRegex().IsMatch(value))
        {
            errs.Add(RegexError(EnvVarNameErrMsg, "[-._a-zA-Z][-._a-zA-Z0-9]*", "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
        }
        errs.AddRange(HasChDirPrefix(value));
        return errs;
    }

    /// <summary>The relaxed environment variable name rule (RelaxedEnvironmentVariableValidation, GA): printable ASCII except '='.</summary>
    public static List<string> IsRelaxedEnvVarName(string value)
    {
        var errs = new List<string>();
        if (value.Length == 0)
        {
            errs.Add("environment variable name " + EmptyError());
        }
        foreach (var c in value)
        {
            if (c > 126 || c < 32 || c == '=')
            {
                errs.Add(RelaxedEnvVarNameErrMsg);
                break;
            }
        }
        return errs;
    }

    private static List<string> HasChDirPrefix(string value)
    {
        if (value.StartsWith("..", StringComparison.Ordinal))
        {
            return ["must not start with '..'"];
        }
        return value == "." ? ["must not be '.'"] : [];
    }

    public static List<string> IsValidUserId(long id) =>
        id is >= 0 and <= int.MaxValue ? [] : [InclusiveRangeError(0, int.MaxValue)];

    public static List<string> IsValidGroupId(long id) => IsValidUserId(id);

    // ---- IP addresses, parsed as strictly as Go's net.ParseIP ----

    public const string InvalidIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    public const string InvalidCIDRMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    public static List<string> IsValidIP(string value) => ParseIP(value) == null ? [InvalidIPMessage] : [];

    public static List<string> IsValidCIDR(string value) => ParseCIDR(value) == null ? [InvalidCIDRMessage] : [];

    /// <summary>Parses dotted-quad IPv4 (no leading '+', hex or short forms) or IPv6 (no zone); null when invalid.</summary>
    public static IPAddress? ParseIP(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('%'))
        {
            return null;
        }
        if (value.Contains(':'))
        {
            return IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }
        var parts = value.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }
        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            // Like Go's net.ParseIP: decimal octets only, no leading zeros.
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0')
                || !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 255)
            {
                return null;
            }
            bytes[i] = (byte)n;
        }
        return new IPAddress(bytes);
    }

    public static (IPAddress Address, int Prefix)? ParseCIDR(string value)
    {
        var slash = value.IndexOf('/');
        if (slash < 0)
        {
            return null;
        }
        var ip = ParseIP(value[..slash]);
        var bits = value[(slash + 1)..];
        if (ip == null || bits.Length == 0 || !bits.All(char.IsAsciiDigit)
            || !int.TryParse(bits, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return prefix > max ? null : (ip, prefix);
    }

    public static bool IsIPv6(string value) => ParseIP(value)?.AddressFamily == AddressFamily.InterNetworkV6;
}
