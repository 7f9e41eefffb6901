using Coxswain.Api.Errors;
using Coxswain.Api.Selectors;

namespace Coxswain.Api.Tests.Selectors;

public class FieldSelectorTests
{
    [Theory]
    [InlineData("metadata.name=foo", "metadata.name=foo")]
    [InlineData("metadata.name==foo", "metadata.name=foo")]
    [InlineData("b=1,a!=2", "a!=2,b=1")]
    [InlineData("a=", "a=")]
    [InlineData(",,a=b,", "a=b")]
    [InlineData(@"a=x\,y\=z\\w", @"a=x\,y\=z\\w")]
    public void Parse_gives_canonical_string(string text, string expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(text).ToString());
    }

    [Fact]
    public void Escaped_values_are_unescaped()
    {
        var selector = FieldSelector.Parse(@"a=x\,y\=z\\w,b!=c");
        Assert.Equal(2, selector.Requirements.Count);
        Assert.Equal(new FieldRequirement("a", false, @"x,y=z\w"), selector.Requirements[0]);
        Assert.Equal(new FieldRequirement("b", true, "c"), selector.Requirements[1]);
    }

    [Fact]
    public void Empty_selectors_are_everything()
    {
        Assert.True(FieldSelector.Parse(null).IsEverything);
        Assert.True(FieldSelector.Parse("").IsEverything);
        Assert.True(FieldSelector.Parse(",,").IsEverything);
        Assert.Equal("", FieldSelector.Parse(null).ToString());
    }

    [Theory]
    [InlineData("abc", "invalid selector: 'abc'; can't understand 'abc'")]
    [InlineData("a=b,xyz", "invalid selector: 'a=b,xyz'; can't understand 'xyz'")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    [InlineData("a!==b", "invalid field selector: unescaped character in value: 61")]
    [InlineData(@"a=b\,c,d", "invalid selector: 'a=b\\,c,d'; can't understand 'd'")]
    [InlineData("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'")]
    [InlineData(@"a=b\x", @"invalid field selector: invalid escape sequence: \x")]
    [InlineData(@"a=b\", @"invalid field selector: invalid escape sequence: \")]
    public void Parse_errors_are_worded_as_upstream(string text, string message)
    {
        var e = Assert.Throws<ApiException>(() => FieldSelector.Parse(text));
        Assert.Equal(400, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("metadata.name=web", "web")]
    [InlineData("metadata.name==web,status.phase=Running", "web")]
    [InlineData("metadata.name!=web", null)]
    [InlineData("status.phase=Running", null)]
    [InlineData("", null)]
    public void Required_name_comes_from_an_equality_on_metadata_name(string text, string? name)
    {
        Assert.Equal(name, FieldSelector.Parse(text).RequiredName);
    }

    [Theory]
    [InlineData("status.phase=Running", "Running", true)]
    [InlineData("status.phase=Running", "Pending", false)]
    [InlineData("status.phase!=Running", "Pending", true)]
    [InlineData("status.phase!=Running", null, true)]
    [InlineData("status.phase=", null, true)]
    [InlineData("status.phase=Running", null, false)]
    public void Matches_compares_missing_fields_as_empty(string text, string? actual, bool expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(text).Matches(_ => actual));
    }

    [Fact]
    public void All_terms_must_hold()
    {
        var fields = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };
        Assert.True(FieldSelector.Parse("a=1,b=2").Matches(f => fields.GetValueOrDefault(f)));
        Assert.False(FieldSelector.Parse("a=1,b!=2").Matches(f => fields.GetValueOrDefault(f)));
    }

    [Fact]
    public void Unsupported_field_on_a_kind_with_only_metadata_uses_the_default_wording()
    {
        var e = Assert.Throws<ApiException>(() =>
            FieldSelector.Parse("spec.foo=x").CheckSupported(["metadata.name", "metadata.namespace"], "configmaps"));
        Assert.Equal(400, e.Code);
        Assert.Equal("\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", e.Message);
    }

    [Fact]
    public void Unsupported_field_on_a_kind_with_more_fields_is_not_supported()
    {
        var e = Assert.Throws<ApiException>(() =>
            FieldSelector.Parse("metadata.name=a,spec.foo=x").CheckSupported(["metadata.name", "metadata.namespace", "spec.nodeName"], "pods"));
        Assert.Equal("field label not supported: spec.foo", e.Message);
        FieldSelector.Parse("spec.nodeName=n1").CheckSupported(["metadata.name", "metadata.namespace", "spec.nodeName"], "pods");
    }

    [Fact]
    public void Transform_renames_and_drops_terms()
    {
        var selector = FieldSelector.Parse("a=1,b=2,c=3").Transform((f, v) => f switch
        {
            "a" => ("x", v),
            "b" => ("", ""),
            _ => (f, v + "!"),
        });
        Assert.Equal("x=1,c=3!", selector.ToString());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"a,b=c\d", @"a\,b\=c\\d")]
    public void Escape_round_trips(string raw, string escaped)
    {
        Assert.Equal(escaped, FieldSelector.EscapeValue(raw));
        Assert.Equal(raw, FieldSelector.UnescapeValue(escaped));
    }
}
