using Coxswain.Api.Protobuf;

namespace Coxswain.Api.Tests.Protobuf;

public sealed class WellKnownTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5\u00b5s")]
    [InlineData(100_000_000L, "100ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(-5_000_000_000L, "-5s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void Durations_format_like_go_and_parse_back(long nanoseconds, string text)
    {
        Assert.Equal(text, WellKnown.FormatDuration(nanoseconds));
        Assert.True(WellKnown.TryParseDuration(text, out var parsed));
        Assert.Equal(nanoseconds, parsed);
    }

    [Theory]
    [InlineData("1h", 3_600_000_000_000L)]
    [InlineData("2h45m", 9_900_000_000_000L)]
    [InlineData("1.5h", 5_400_000_000_000L)]
    [InlineData("300us", 300_000L)]
    [InlineData("+10s", 10_000_000_000L)]
    [InlineData("0", 0L)]
    public void Durations_parse_go_forms(string text, long nanoseconds)
    {
        Assert.True(WellKnown.TryParseDuration(text, out var parsed));
        Assert.Equal(nanoseconds, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("1d")]
    [InlineData("s")]
    [InlineData(".s")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(WellKnown.TryParseDuration(text, out _));

    [Fact]
    public void Times_format_in_utc_with_go_precision()
    {
        Assert.Equal("1970-01-01T00:00:00Z", WellKnown.FormatTime(0));
        Assert.Equal("2024-01-02T03:04:05Z", WellKnown.FormatTime(1704164645));
        Assert.Equal("2024-01-02T03:04:05.000001Z", WellKnown.FormatMicroTime(1704164645, 1_999));
        Assert.True(WellKnown.TryParseTime("2024-01-02T05:04:05.5+02:00", out var s, out var n));
        Assert.Equal((1704164645L, 500_000_000), (s, n));
        Assert.True(WellKnown.TryParseTime("1969-12-31T23:59:59.25Z", out s, out n));
        Assert.Equal((-1L, 250_000_000), (s, n));
    }
}
