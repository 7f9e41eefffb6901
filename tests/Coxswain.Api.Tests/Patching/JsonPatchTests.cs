using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

public class JsonPatchTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, doc, patch, expected
        { "add member", """{"a":1}""", """[{"op":"add","path":"/b","value":2}]""", """{"a":1,"b":2}""" },
        { "add replaces member", """{"a":1}""", """[{"op":"add","path":"/a","value":[1]}]""", """{"a":[1]}""" },
        { "add into array", """{"a":[1,3]}""", """[{"op":"add","path":"/a/1","value":2}]""", """{"a":[1,2,3]}""" },
        { "add at end index", """{"a":[1]}""", """[{"op":"add","path":"/a/1","value":2}]""", """{"a":[1,2]}""" },
        { "add dash appends", """{"a":[1]}""", """[{"op":"add","path":"/a/-","value":2}]""", """{"a":[1,2]}""" },
        { "add negative index", """{"a":[1,2]}""", """[{"op":"add","path":"/a/-1","value":3}]""", """{"a":[1,2,3]}""" },
        { "add without value adds null", """{}""", """[{"op":"add","path":"/a"}]""", """{"a":null}""" },
        { "remove member", """{"a":1,"b":2}""", """[{"op":"remove","path":"/a"}]""", """{"b":2}""" },
        { "remove element", """{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/1"}]""", """{"a":[1,3]}""" },
        { "remove last by -1", """{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/-1"}]""", """{"a":[1,2]}""" },
        { "replace member", """{"a":{"b":1}}""", """[{"op":"replace","path":"/a/b","value":"x"}]""", """{"a":{"b":"x"}}""" },
        { "replace missing member adds it (upstream)", """{"a":{}}""", """[{"op":"replace","path":"/a/b","value":1}]""", """{"a":{"b":1}}""" },
        { "replace whole document", """{"a":1}""", """[{"op":"replace","path":"","value":{"b":2}}]""", """{"b":2}""" },
        { "move", """{"a":{"x":1},"b":{}}""", """[{"op":"move","from":"/a/x","path":"/b/y"}]""", """{"a":{},"b":{"y":1}}""" },
        { "move within array", """{"a":[1,2,3]}""", """[{"op":"move","from":"/a/0","path":"/a/-"}]""", """{"a":[2,3,1]}""" },
        { "copy", """{"a":{"x":[1]}}""", """[{"op":"copy","from":"/a/x","path":"/b"}]""", """{"a":{"x":[1]},"b":[1]}""" },
        { "copy missing member copies null (upstream)", """{"a":{}}""", """[{"op":"copy","from":"/a/x","path":"/b"}]""", """{"a":{},"b":null}""" },
        { "test passes then add", """{"a":"x"}""", """[{"op":"test","path":"/a","value":"x"},{"op":"add","path":"/b","value":1}]""", """{"a":"x","b":1}""" },
        { "test object deep", """{"a":{"b":[1,{"c":true}]}}""", """[{"op":"test","path":"/a","value":{"b":[1,{"c":true}]}}]""", """{"a":{"b":[1,{"c":true}]}}""" },
        { "test missing against null passes", """{}""", """[{"op":"test","path":"/a","value":null}]""", """{}""" },
        { "escaped slash", """{"metadata":{"annotations":{"a/b":"1"}}}""", """[{"op":"replace","path":"/metadata/annotations/a~1b","value":"2"}]""", """{"metadata":{"annotations":{"a/b":"2"}}}""" },
        { "escaped tilde", """{"m~n":1}""", """[{"op":"remove","path":"/m~0n"}]""", """{}""" },
        { "~01 is ~1 not /", """{}""", """[{"op":"add","path":"/~01","value":1}]""", """{"~1":1}""" },
        { "null patch does nothing", """{"a":1}""", "null", """{"a":1}""" },
        { "kubectl rollout undo", """{"spec":{"template":{"x":1}},"metadata":{"annotations":{"a":"b"}}}""",
            """[{"op":"replace","path":"/spec/template","value":{"y":2}},{"op":"replace","path":"/metadata/annotations","value":{"c":"d"}}]""",
            """{"spec":{"template":{"y":2}},"metadata":{"annotations":{"c":"d"}}}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Applies(string name, string doc, string patch, string expected)
    {
        _ = name;
        var input = J(doc);
        var before = Canon(input);
        Equal(expected, JsonPatch.Apply(input, J(patch)));
        Assert.Equal(before, Canon(input));
    }

    public static TheoryData<string, string> Failures => new()
    {
        { """{"a":1}""", """[{"op":"remove","path":"/b"}]""" },
        { """{"a":1}""", """[{"op":"add","path":"/x/y","value":1}]""" },
        { """{"a":1}""", """[{"op":"add","path":"","value":{}}]""" },
        { """{"a":[1]}""", """[{"op":"add","path":"/a/3","value":1}]""" },
        { """{"a":[1]}""", """[{"op":"add","path":"/a/x","value":1}]""" },
        { """{"a":[1]}""", """[{"op":"replace","path":"/a/1","value":1}]""" },
        { """{"a":[1]}""", """[{"op":"remove","path":"/a/-2"}]""" },
        { """{"a":"x"}""", """[{"op":"test","path":"/a","value":"y"}]""" },
        { """{"a":1}""", """[{"op":"test","path":"/a","value":1.0}]""" },
        { """{}""", """[{"op":"test","path":"/a","value":1}]""" },
        { """{"a":1}""", """[{"op":"move","from":"/b","path":"/c"}]""" },
        { """{"a":1}""", """[{"op":"copy","from":"/x/y","path":"/c"}]""" },
        { """{"a":1}""", """[{"op":"frobnicate","path":"/a"}]""" },
        { """{"a":1}""", """[{"path":"/a"}]""" },
        { """{"a":1}""", """[{"op":"add","value":1}]""" },
        { """{"a":1}""", """[{"op":"replace","path":"","value":1}]""" },
        { """{"a":1}""", """[{"op":"add","path":"/b","value":1},{"op":"remove","path":"/zz"}]""" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void AnOperationThatDoesNotApplyIs422Invalid(string doc, string patch)
    {
        var e = Assert.Throws<ApiException>(() => JsonPatch.Apply(J(doc), J(patch)));
        Assert.Equal(422, e.Code);
        Assert.Equal("Invalid", e.Reason);
        Assert.Equal("the server rejected our request due to an error in our request", e.Message);
        Assert.NotNull(e.Details);
        Assert.IsType<string>(e.Data["detail"]);
    }

    [Theory]
    [InlineData("""{"op":"add"}""", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("\"x\"", "json: cannot unmarshal string into Go value of type jsonpatch.Patch")]
    [InlineData("[1]", "json: cannot unmarshal number into Go value of type jsonpatch.Operation")]
    [InlineData("[[]]", "json: cannot unmarshal array into Go value of type jsonpatch.Operation")]
    public void AMalformedPatchIs400(string patch, string message)
    {
        var e = Assert.Throws<ApiException>(() => JsonPatch.Apply(J("{}"), J(patch)));
        Assert.Equal(400, e.Code);
        Assert.Equal("BadRequest", e.Reason);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void TooManyOperationsIs413()
    {
        var ops = string.Join(",", Enumerable.Repeat("""{"op":"test","path":"/a","value":1}""", JsonPatch.MaxOperations + 1));
        var e = Assert.Throws<ApiException>(() => JsonPatch.Apply(J("""{"a":1}"""), J($"[{ops}]")));
        Assert.Equal(413, e.Code);
        Assert.Equal("Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001", e.Message);
    }

    [Fact]
    public void FailedOperationKeepsTheReasonForLogs()
    {
        var e = Assert.Throws<ApiException>(() => JsonPatch.Apply(J("""{"a":1}"""), J("""[{"op":"remove","path":"/b"}]""")));
        Assert.Equal("error in remove for path: '/b': Unable to remove nonexistent key: b: missing value", e.Data["detail"]);
    }
}
