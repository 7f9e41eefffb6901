using Coxswain.Api.Errors;
using Coxswain.Api.Selectors;
using k8s.Models;

namespace Coxswain.Api.Tests.Selectors;

public class LabelSelectorTests
{
    private const string KeyRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

    [Theory]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("a=b", "a=b")]
    [InlineData("a==b", "a==b")]
    [InlineData("a!=b", "a!=b")]
    [InlineData("  a = b ,\tc!=d\n", "a=b,c!=d")]
    [InlineData("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()")]
    [InlineData("k in (b, a, b)", "k in (a,b)")]
    [InlineData("!a", "!a")]
    [InlineData("b,!a", "!a,b")]
    [InlineData("in in (in)", "in in (in)")]
    [InlineData("notin notin (notin)", "notin notin (notin)")]
    [InlineData("a=", "a=")]
    [InlineData("a=,b", "a=,b")]
    [InlineData("a>1", "a>1")]
    [InlineData("a<10", "a<10")]
    [InlineData("example.com/app=web", "example.com/app=web")]
    [InlineData("z=1,a=2,a!=3", "a=2,a!=3,z=1")]
    [InlineData("app in (web)", "app in (web)")]
    public void Parse_gives_canonical_string(string text, string expected)
    {
        Assert.Equal(expected, LabelSelector.Parse(text).ToString());
    }

    [Fact]
    public void Parse_null_and_empty_are_everything()
    {
        Assert.True(LabelSelector.Parse(null).IsEverything);
        Assert.True(LabelSelector.Parse("").IsEverything);
        Assert.False(LabelSelector.Parse("a").IsEverything);
    }

    [Theory]
    [InlineData("a b", "unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'")]
    [InlineData("a=b c", "found 'c', expected: ',' or 'end of string'")]
    [InlineData("a=b,", "found '', expected: identifier after ','")]
    [InlineData("a=b,=", "found '=', expected: identifier after ','")]
    [InlineData(",a", "found ',', expected: !, identifier, or 'end of string'")]
    [InlineData("a in b", "unable to parse requirement: found 'b' expected: '('")]
    [InlineData("a in (b", "unable to parse requirement: found '', expected: ',' or ')'")]
    [InlineData("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'")]
    [InlineData("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier")]
    [InlineData("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier")]
    [InlineData("a=(", "unable to parse requirement: found '(', expected: identifier")]
    [InlineData("!", "unable to parse requirement: found '', expected: identifier")]
    [InlineData("!a=b", "found '=', expected: ',' or 'end of string'")]
    [InlineData("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer")]
    public void Parse_errors_are_worded_as_upstream(string text, string message)
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse(text));
        Assert.Equal(400, e.Code);
        Assert.Equal("BadRequest", e.Reason);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Invalid_key_reports_the_qualified_name_rule()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse("-a=b"));
        Assert.Equal(
            "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', " +
            "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + KeyRegex + "')",
            e.Message);
    }

    [Fact]
    public void Key_with_two_slashes_is_not_a_label_key()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse("a/b/c"));
        Assert.Equal(
            "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', " +
            "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + KeyRegex + "')" +
            " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            e.Message);
    }

    [Fact]
    public void Key_prefix_must_be_a_subdomain()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse("Foo/bar=x"));
        Assert.Equal(
            "unable to parse requirement: <nil>: Invalid value: \"Foo/bar\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
            "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            e.Message);
    }

    [Fact]
    public void Key_name_longer_than_63_is_rejected()
    {
        var key = new string('a', 64);
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse(key));
        Assert.Equal($"unable to parse requirement: <nil>: Invalid value: \"{key}\": name part must be no more than 63 characters", e.Message);
    }

    [Fact]
    public void Invalid_value_reports_the_label_value_rule()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse("a=-b"));
        Assert.Equal(
            "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
            "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(" + KeyRegex + ")?')",
            e.Message);
    }

    [Fact]
    public void Several_invalid_values_are_aggregated_in_sorted_order()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse("a in (z_, -b)"));
        Assert.StartsWith("unable to parse requirement: [values[0][a]: Invalid value: \"-b\": a valid label", e.Message);
        Assert.Contains(", values[1][a]: Invalid value: \"z_\": a valid label", e.Message);
        Assert.EndsWith("')]", e.Message);
    }

    public static TheoryData<string, Dictionary<string, string>?, bool> MatchCases => new()
    {
        { "a=b", new() { ["a"] = "b" }, true },
        { "a=b", new() { ["a"] = "c" }, false },
        { "a=b", new(), false },
        { "a=b", null, false },
        { "a==b", new() { ["a"] = "b" }, true },
        { "a!=b", new(), true },
        { "a!=b", new() { ["a"] = "b" }, false },
        { "a!=b", new() { ["a"] = "c" }, true },
        { "a in (b,c)", new() { ["a"] = "c" }, true },
        { "a in (b,c)", new() { ["a"] = "d" }, false },
        { "a notin (b)", new(), true },
        { "a notin (b)", new() { ["a"] = "b" }, false },
        { "a", new() { ["a"] = "" }, true },
        { "a", new(), false },
        { "!a", new(), true },
        { "!a", new() { ["a"] = "x" }, false },
        { "a=", new() { ["a"] = "" }, true },
        { "a>5", new() { ["a"] = "6" }, true },
        { "a>5", new() { ["a"] = "5" }, false },
        { "a>5", new() { ["a"] = "x" }, false },
        { "a<5", new() { ["a"] = "-3" }, true },
        { "a=b,c", new() { ["a"] = "b", ["c"] = "" }, true },
        { "a=b,c", new() { ["a"] = "b" }, false },
        { "", null, true },
    };

    [Theory]
    [MemberData(nameof(MatchCases))]
    public void Matches_as_upstream(string selector, Dictionary<string, string>? labels, bool expected)
    {
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(labels));
    }

    [Fact]
    public void Nil_label_selector_selects_nothing_and_empty_selects_everything()
    {
        var nothing = LabelSelector.FromLabelSelector(null);
        Assert.True(nothing.IsNothing);
        Assert.False(nothing.IsEverything);
        Assert.False(nothing.Matches(new Dictionary<string, string>()));
        Assert.Equal("", nothing.ToString());

        var everything = LabelSelector.FromLabelSelector(new V1LabelSelector());
        Assert.True(everything.IsEverything);
        Assert.True(everything.Matches(null));
    }

    [Fact]
    public void Label_selector_converts_to_canonical_requirements()
    {
        var selector = LabelSelector.FromLabelSelector(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "f", OperatorProperty = "NotIn", Values = ["z"] },
                new V1LabelSelectorRequirement { Key = "c", OperatorProperty = "In", Values = ["y", "x"] },
                new V1LabelSelectorRequirement { Key = "d", OperatorProperty = "Exists" },
                new V1LabelSelectorRequirement { Key = "e", OperatorProperty = "DoesNotExist" },
            ],
        });
        Assert.Equal("a=1,b=2,c in (x,y),d,!e,f notin (z)", selector.ToString());
        Assert.True(selector.Matches(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "x", ["d"] = "" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "x", ["d"] = "", ["e"] = "" }));
        Assert.True(selector.TryGetExactMatch("a", out var a));
        Assert.Equal("1", a);
        Assert.False(selector.TryGetExactMatch("d", out _));
    }

    [Theory]
    [InlineData("Foo", null, "\"Foo\" is not a valid label selector operator")]
    [InlineData("In", null, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty")]
    [InlineData("Exists", "x", "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist")]
    public void Invalid_label_selectors_are_rejected(string op, string? value, string message)
    {
        var ls = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "k", OperatorProperty = op, Values = value == null ? null : [value] }],
        };
        var e = Assert.Throws<ApiException>(() => LabelSelector.FromLabelSelector(ls));
        Assert.Equal(message, e.Message);
        Assert.False(LabelSelector.TryFromLabelSelector(ls, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Invalid_match_label_key_uses_the_key_path()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.FromLabelSelector(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["a b"] = "x" },
        }));
        Assert.StartsWith("key: Invalid value: \"a b\": name part must consist of alphanumeric characters", e.Message);
    }

    [Fact]
    public void From_set_matches_exactly_the_set()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["run"] = "web", ["app"] = "x" });
        Assert.Equal("app=x,run=web", selector.ToString());
        Assert.True(selector.Matches(new Dictionary<string, string> { ["run"] = "web", ["app"] = "x", ["extra"] = "1" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["run"] = "web" }));
        Assert.True(LabelSelector.FromSet(null).IsEverything);
    }

    [Fact]
    public void Requires_exact_match_only_for_single_value_equality()
    {
        Assert.True(LabelSelector.Parse("a in (x)").TryGetExactMatch("a", out var v));
        Assert.Equal("x", v);
        Assert.False(LabelSelector.Parse("a in (x,y)").TryGetExactMatch("a", out _));
        Assert.False(LabelSelector.Parse("a!=x").TryGetExactMatch("a", out _));
        Assert.False(LabelSelector.Parse("b=x").TryGetExactMatch("a", out _));
    }
}
