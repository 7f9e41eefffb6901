using Coxswain.Kubelet.Env;

namespace Coxswain.Kubelet.Tests.Env;

public sealed class EnvExpansionTests
{
    private static readonly Func<string, string> Mapping = EnvExpansion.MappingFor(new Dictionary<string, string> { ["A"] = "a", ["B"] = "b", ["EMPTY"] = "" });

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("$(A)", "a")]
    [InlineData("x$(A)y$(B)z", "xaybz")]
    [InlineData("$(A)$(B)", "ab")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("$$", "$")]
    [InlineData("$$$$", "$$")]
    [InlineData("$$$(A)", "$a")]
    [InlineData("$(UNKNOWN)", "$(UNKNOWN)")]
    [InlineData("$(EMPTY)x", "x")]
    [InlineData("$(A", "$(A")]
    [InlineData("$()", "$()")]
    [InlineData("$", "$")]
    [InlineData("a$", "a$")]
    [InlineData("$A", "$A")]
    [InlineData("100$ and $(A)", "100$ and a")]
    public void ExpandsAsUpstream(string input, string expected) => Assert.Equal(expected, EnvExpansion.Expand(input, Mapping));

    [Fact]
    public void FirstMapWins()
    {
        var mapping = EnvExpansion.MappingFor(new Dictionary<string, string> { ["X"] = "first" }, new Dictionary<string, string> { ["X"] = "second", ["Y"] = "y" });
        Assert.Equal("first y", EnvExpansion.Expand("$(X) $(Y)", mapping));
    }
}
