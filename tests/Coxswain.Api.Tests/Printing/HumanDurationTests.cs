using Coxswain.Api.Printing;

namespace Coxswain.Api.Tests.Printing;

public class HumanDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(90, "90s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(200, "3m20s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(150 * 60, "150m")]
    [InlineData(3 * 3600 - 1, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 5 * 60, "3h5m")]
    [InlineData(3 * 3600 + 5 * 60 + 59, "3h5m")]
    [InlineData(8 * 3600 - 60, "7h59m")]
    [InlineData(8 * 3600, "8h")]
    [InlineData(47 * 3600 + 3599, "47h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(50 * 3600, "2d2h")]
    [InlineData((7 * 24 + 23) * 3600, "7d23h")]
    [InlineData(8 * 24 * 3600, "8d")]
    [InlineData(364 * 24 * 3600, "364d")]
    [InlineData(400 * 24 * 3600, "400d")]
    [InlineData(729 * 24 * 3600, "729d")]
    [InlineData(730 * 24 * 3600, "2y")]
    [InlineData(775 * 24 * 3600, "2y45d")]
    [InlineData(2919L * 24 * 3600, "7y364d")]
    [InlineData(2920L * 24 * 3600, "8y")]
    [InlineData(12L * 365 * 24 * 3600 + 100 * 24 * 3600, "12y")]
    [InlineData(-1, "0s")]
    [InlineData(-2, "<invalid>")]
    [InlineData(-600, "<invalid>")]
    public void Formats_as_upstream(long seconds, string expected)
    {
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Fractions_truncate_toward_zero()
    {
        Assert.Equal("0s", HumanDuration.Format(TimeSpan.FromMilliseconds(-1500)));
        Assert.Equal("1s", HumanDuration.Format(TimeSpan.FromMilliseconds(1999)));
        Assert.Equal("<invalid>", HumanDuration.Format(TimeSpan.FromMilliseconds(-2000)));
    }

    [Fact]
    public void Since_handles_missing_timestamps_and_kinds()
    {
        var now = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        Assert.Equal("<unknown>", HumanDuration.Since(null, now));
        Assert.Equal("<unknown>", HumanDuration.Since(default(DateTime), now));
        Assert.Equal("5m", HumanDuration.Since(now.AddMinutes(-5), now));
        Assert.Equal("5m", HumanDuration.Since(DateTime.SpecifyKind(now.AddMinutes(-5), DateTimeKind.Unspecified), now));
        Assert.Equal("5m", HumanDuration.Since(now.AddMinutes(-5).ToLocalTime(), now));
    }
}
