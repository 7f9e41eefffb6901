using Coxswain.Api.Resources;
using Coxswain.Api.Validation;

namespace Coxswain.Api.Tests.Validation;

public class ValidationRulesTests
{
    private const string SubdomainMsg =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMsg =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1035Msg =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private const string NamePartMsg =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMsg =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string ConfigKeyMsg =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

    public static TheoryData<string, string[]> Subdomains => new()
    {
        { "example.com", [] },
        { "a", [] },
        { "0-a.b-9", [] },
        { "Foo", [SubdomainMsg] },
        { "-a", [SubdomainMsg] },
        { "a.", [SubdomainMsg] },
        { "a_b", [SubdomainMsg] },
        { "", [SubdomainMsg] },
        { "a\n", [SubdomainMsg] },
        { new string('a', 254), ["must be no more than 253 characters"] },
    };

    [Theory]
    [MemberData(nameof(Subdomains))]
    public void DNS1123Subdomain(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsDNS1123Subdomain(value));

    public static TheoryData<string, string[]> Labels => new()
    {
        { "my-name", [] },
        { "123-abc", [] },
        { "a.b", ["must not contain dots"] },
        { "My", [LabelMsg] },
        { new string('a', 64), ["must be no more than 63 characters"] },
    };

    [Theory]
    [MemberData(nameof(Labels))]
    public void DNS1123Label(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsDNS1123Label(value));

    public static TheoryData<string, string[]> Dns1035 => new()
    {
        { "my-name", [] },
        { "1abc", [Dns1035Msg] },
        { "abc-", [Dns1035Msg] },
    };

    [Theory]
    [MemberData(nameof(Dns1035))]
    public void DNS1035Label(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsDNS1035Label(value));

    public static TheoryData<string, string[]> QualifiedNames => new()
    {
        { "app", [] },
        { "app.kubernetes.io/name", [] },
        { "MyName", [] },
        { "-x", [NamePartMsg] },
        { "/x", ["prefix part must be non-empty"] },
        { "example.com/", ["name part must be non-empty", NamePartMsg] },
        { "Example.com/x", ["prefix part " + SubdomainMsg] },
        { "a/b/c", ["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"] },
        { new string('a', 64), ["name part must be no more than 63 characters"] },
    };

    [Theory]
    [MemberData(nameof(QualifiedNames))]
    public void QualifiedName(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsQualifiedName(value));

    public static TheoryData<string, string[]> LabelValues => new()
    {
        { "", [] },
        { "my_value", [] },
        { "a b", [LabelValueMsg] },
        { new string('a', 64), ["must be no more than 63 characters"] },
    };

    [Theory]
    [MemberData(nameof(LabelValues))]
    public void LabelValue(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsValidLabelValue(value));

    public static TheoryData<string, string[]> ConfigKeys => new()
    {
        { "key.name", [] },
        { "KEY_NAME", [] },
        { "a/b", [ConfigKeyMsg] },
        { ".", ["must not be '.'"] },
        { "..", ["must not be '..'"] },
        { "..a", ["must not start with '..'"] },
    };

    [Theory]
    [MemberData(nameof(ConfigKeys))]
    public void ConfigMapKey(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsConfigMapKey(value));

    public static TheoryData<string, string[]> PortNames => new()
    {
        { "http", [] },
        { "h2c-80", [] },
        { "80", ["must contain at least one letter (a-z)"] },
        { "a--b", ["must not contain consecutive hyphens"] },
        { "-ab", ["must not begin or end with a hyphen"] },
        { "HTTP", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"] },
        { "abcdefghijklmnop", ["must be no more than 15 characters"] },
    };

    [Theory]
    [MemberData(nameof(PortNames))]
    public void PortName(string value, string[] expected) => Assert.Equal(expected, ValidationRules.IsValidPortName(value));

    [Theory]
    [InlineData(1, true)]
    [InlineData(65535, true)]
    [InlineData(0, false)]
    [InlineData(70000, false)]
    public void PortNumber(int port, bool valid) =>
        Assert.Equal(valid ? [] : ["must be between 1 and 65535, inclusive"], ValidationRules.IsValidPortNum(port));

    [Theory]
    [InlineData("10.9.8.7", true)]
    [InlineData("2001:db8::ffff", true)]
    [InlineData("::1", true)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.256", false)]
    [InlineData("0x1.2.3.4", false)]
    [InlineData("010.1.1.1", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("", false)]
    public void IPAddress(string value, bool valid) =>
        Assert.Equal(valid ? [] : ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"], ValidationRules.IsValidIP(value));

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("2001:db8::/64", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.0.0.0", false)]
    public void Cidr(string value, bool valid) =>
        Assert.Equal(valid ? [] : ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"], ValidationRules.IsValidCIDR(value));

    [Theory]
    [InlineData("25%", true)]
    [InlineData("25", false)]
    [InlineData("x%", false)]
    public void Percent(string value, bool valid) =>
        Assert.Equal(valid ? [] : ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
            ValidationRules.IsValidPercent(value));

    [Theory]
    [InlineData("MY_VAR", true)]
    [InlineData("1st.var-name", true)]
    [InlineData("A=B", false)]
    [InlineData("tab\t", false)]
    public void RelaxedEnvVarName(string value, bool valid) =>
        Assert.Equal(valid ? [] : ["a valid environment variable name must consist only of printable ASCII characters other than '='"],
            ValidationRules.IsRelaxedEnvVarName(value));

    [Theory]
    [InlineData(NameRule.Subdomain, "web-", true, new string[0])]
    [InlineData(NameRule.Subdomain, "Web-", true, new[] { SubdomainMsg })]
    [InlineData(NameRule.PathSegment, "system:admin", false, new string[0])]
    [InlineData(NameRule.PathSegment, "a/b", false, new[] { "may not contain '/'" })]
    [InlineData(NameRule.PathSegment, "..", false, new[] { "may not be '..'" })]
    [InlineData(NameRule.PathSegment, "a%b/", false, new[] { "may not contain '/'", "may not contain '%'" })]
    public void NameByRule(NameRule rule, string name, bool prefix, string[] expected) =>
        Assert.Equal(expected, ValidationRules.NameIs(rule, name, prefix));
}
