using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

public class MergePatchTests
{
    /// <summary>The examples of RFC 7386 appendix A whose target is an object and patch an object or array.</summary>
    public static TheoryData<string, string, string> Rfc7386 => new()
    {
        { """{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""" },
        { """{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""" },
        { """{"a":"b"}""", """{"a":null}""", """{}""" },
        { """{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""" },
        { """{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""" },
        { """{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""" },
        { """{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""" },
        { """{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""" },
        { """{"a":"b"}""", """["c"]""", """["c"]""" },
        { """{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""" },
        { """{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""" },
    };

    [Theory]
    [MemberData(nameof(Rfc7386))]
    public void FollowsRfc7386(string doc, string patch, string expected)
    {
        var input = J(doc);
        var before = Canon(input);
        Equal(expected, MergePatch.Apply(input, J(patch)));
        Assert.Equal(before, Canon(input));
    }

    [Fact]
    public void KubectlLabelAndAnnotate()
    {
        var pod = J("""{"metadata":{"name":"p","labels":{"app":"web","tier":"fe"}},"spec":{"containers":[{"name":"c"}]}}""");
        var result = MergePatch.Apply(pod, J("""{"metadata":{"labels":{"tier":null,"env":"prod"},"annotations":{"note":"x"}}}"""));
        Equal("""{"metadata":{"name":"p","labels":{"app":"web","env":"prod"},"annotations":{"note":"x"}},"spec":{"containers":[{"name":"c"}]}}""", result);
    }

    [Fact]
    public void KubectlScaleReplacesScalar()
    {
        Equal("""{"spec":{"replicas":4,"x":1}}""", MergePatch.Apply(J("""{"spec":{"replicas":1,"x":1}}"""), J("""{"spec":{"replicas":4}}""")));
    }

    [Fact]
    public void ListsAreReplacedWhole()
    {
        Equal("""{"a":[{"name":"y"}]}""", MergePatch.Apply(J("""{"a":[{"name":"x","v":1}]}"""), J("""{"a":[{"name":"y"}]}""")));
    }

    [Fact]
    public void NullsArePrunedFromAddedValuesAsUpstreamDoes()
    {
        // Added member: nulls go, including inside objects in arrays; a null array element stays.
        Equal("""{"a":{"b":[{"c":1},null]}}""", MergePatch.Apply(J("{}"), J("""{"a":{"b":[{"c":1,"d":null},null]}}""")));
        // An object replaced by an array takes the array as it is.
        Equal("""{"a":[{"d":null}]}""", MergePatch.Apply(J("""{"a":{"x":1}}"""), J("""{"a":[{"d":null}]}""")));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"bar\"")]
    [InlineData("3")]
    public void NullOrScalarPatchIs400(string patch)
    {
        var e = Assert.Throws<ApiException>(() => MergePatch.Apply(J("""{"a":"foo"}"""), J(patch)));
        Assert.Equal(400, e.Code);
        Assert.Equal("Invalid JSON Patch", e.Message);
    }
}
