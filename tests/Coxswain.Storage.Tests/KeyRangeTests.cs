namespace Coxswain.Storage.Tests;

public sealed class KeyRangeTests
{
    [Theory]
    [InlineData("/registry/pods/", "/registry/pods0")]
    [InlineData("/registry/pods/default/", "/registry/pods/default0")]
    [InlineData("a", "b")]
    [InlineData("a\u007F", "a\u0080")]
    [InlineData("a\uD7FF", "a\uE000")]
    [InlineData("a\uFFFF", "a\U00010000")]
    [InlineData("a\U0010FFFF", "b")]
    public void Prefix_end_is_the_next_string_after_every_key_with_the_prefix(string prefix, string end) =>
        Assert.Equal(end, KeyRange.PrefixEnd(prefix));

    [Fact]
    public void The_empty_prefix_and_a_prefix_of_only_the_last_code_point_have_no_end()
    {
        Assert.Null(KeyRange.PrefixEnd(""));
        Assert.Null(KeyRange.PrefixEnd("\U0010FFFF"));
    }

    [Theory]
    [InlineData("/registry/pods/default/", "/registry/pods/default/a")]
    [InlineData("/registry/pods/default/", "/registry/pods/default/\U0001F600")]
    [InlineData("\uFFFF", "\uFFFF\uFFFF")]
    public void Keys_with_the_prefix_sort_between_it_and_its_end(string prefix, string key)
    {
        string? end = KeyRange.PrefixEnd(prefix);
        Assert.True(KeyRange.Compare(prefix, key) <= 0);
        Assert.True(end is null || KeyRange.Compare(key, end) < 0);
    }

    [Theory]
    [InlineData("a", "b", -1)]
    [InlineData("a", "a", 0)]
    [InlineData("ab", "a", 1)]
    [InlineData("\uFFFF", "\U00010000", -1)] // ordinal UTF-16 comparison says the opposite; UTF-8 bytes agree with this
    [InlineData("\uE000", "\uD7FF", 1)]
    public void Compare_orders_by_code_point(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(KeyRange.Compare(a, b)));
}
