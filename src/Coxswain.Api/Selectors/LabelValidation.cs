using System.Text;

namespace Coxswain.Api.Selectors;

/// <summary>
/// Upstream's label key and value checks (apimachinery <c>IsLabelKey</c>, <c>IsLabelValue</c>,
/// <c>IsDNS1123Subdomain</c>), returning the same error strings. An empty list means valid.
/// </summary>
internal static class LabelValidation
{
    private const string LabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelKeyErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueFmt = "(" + LabelKeyFmt + ")?";
    private const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    private const string Dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const int NameMaxLength = 63;
    private const int SubdomainMaxLength = 253;

    public static List<string> IsLabelKey(string value)
    {
        var errs = new List<string>();
        string name;
        var slash = value.IndexOf('/');
        if (slash < 0)
        {
            name = value;
        }
        else if (value.IndexOf('/', slash + 1) >= 0)
        {
            errs.Add("a valid label key " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc") +
                " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errs;
        }
        else
        {
            var prefix = value[..slash];
            name = value[(slash + 1)..];
            if (prefix.Length == 0)
            {
                errs.Add("prefix part " + EmptyError());
            }
            else
            {
                foreach (var msg in IsDns1123Subdomain(prefix))
                {
                    errs.Add("prefix part " + msg);
                }
            }
        }

        if (name.Length == 0)
        {
            errs.Add("name part " + EmptyError());
        }
        else if (name.Length > NameMaxLength)
        {
            errs.Add("name part " + MaxLenError(NameMaxLength));
        }
        if (!IsLabelKeyName(name))
        {
            errs.Add("name part " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    public static List<string> IsLabelValue(string value)
    {
        var errs = new List<string>();
        if (value.Length > NameMaxLength)
        {
            errs.Add(MaxLenError(NameMaxLength));
        }
        if (value.Length > 0 && !IsLabelKeyName(value))
        {
            errs.Add(RegexError(LabelValueErrMsg, LabelValueFmt, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    public static List<string> IsDns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (value.Length > SubdomainMaxLength)
        {
            errs.Add(MaxLenError(SubdomainMaxLength));
        }
        if (!IsSubdomain(value))
        {
            errs.Add(RegexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
        }
        return errs;
    }

    private static string EmptyError() => "must be non-empty";

    private static string MaxLenError(int length) => $"must be no more than {length} characters";

    private static string RegexError(string msg, string fmt, params string[] examples)
    {
        var sb = new StringBuilder(msg);
        sb.Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }
            sb.Append('\'').Append(examples[i]).Append("', ");
        }
        sb.Append("regex used for validation is '").Append(fmt).Append("')");
        return sb.ToString();
    }

    private static bool IsAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');

    private static bool IsLabelKeyName(string s)
    {
        if (s.Length == 0 || !IsAlphanumeric(s[0]) || !IsAlphanumeric(s[^1]))
        {
            return false;
        }
        for (var i = 1; i < s.Length - 1; i++)
        {
            var c = s[i];
            if (!IsAlphanumeric(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static bool IsSubdomain(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }
        foreach (var label in s.Split('.'))
        {
            if (label.Length == 0 || !IsLowerAlphanumeric(label[0]) || !IsLowerAlphanumeric(label[^1]))
            {
                return false;
            }
            foreach (var c in label)
            {
                if (!IsLowerAlphanumeric(c) && c != '-')
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Go's <c>%q</c> for the strings that reach error messages.</summary>
    public static string GoQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>Go's <c>%#v</c> of a <c>[]string</c>, as field errors print a bad values list.</summary>
    public static string GoStringSlice(IReadOnlyList<string>? values) =>
        values is null ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(GoQuote)) + "}";
}
