using Coxswain.Api.Validation;

namespace Coxswain.Api.Tests.Validation;

public class CronScheduleTests
{
    [Theory]
    [InlineData("*/5 * * * *")]
    [InlineData("0 0 1 jan *")]
    [InlineData("30 2 * * MON-FRI")]
    [InlineData("0,15,30,45 * ? * *")]
    [InlineData("@hourly")]
    [InlineData("@daily")]
    [InlineData("@every 1h30m")]
    public void ValidSchedules(string spec)
    {
        Assert.NotNull(CronSchedule.Parse(spec, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "empty spec string")]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: [* * * *]")]
    [InlineData("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]")]
    [InlineData("60 * * * *", "end of range (60) above maximum (59): 60")]
    [InlineData("* * 0 * *", "beginning of range (0) below minimum (1): 0")]
    [InlineData("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1")]
    [InlineData("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("*/0 * * * *", "step of range should be a positive number: */0")]
    [InlineData("1-2-3 * * * *", "too many hyphens: 1-2-3")]
    [InlineData("* * * * 7", "end of range (7) above maximum (6): 7")]
    [InlineData("@fortnightly", "unrecognized descriptor: @fortnightly")]
    [InlineData("@every x", "failed to parse duration @every x: time: invalid duration \"x\"")]
    public void InvalidSchedules(string spec, string message)
    {
        Assert.Null(CronSchedule.Parse(spec, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void NextActivation()
    {
        var s = CronSchedule.Parse("30 2 * * *", out _)!;
        Assert.Equal(new DateTime(2025, 3, 2, 2, 30, 0, DateTimeKind.Utc), s.Next(new DateTime(2025, 3, 1, 2, 30, 0, DateTimeKind.Utc)));
        var weekdays = CronSchedule.Parse("0 9 * * mon-fri", out _)!;
        // 2025-03-01 is a Saturday.
        Assert.Equal(new DateTime(2025, 3, 3, 9, 0, 0, DateTimeKind.Utc), weekdays.Next(new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc)));
        var everyFive = CronSchedule.Parse("*/5 * * * *", out _)!;
        Assert.Equal(new DateTime(2025, 3, 1, 12, 5, 0, DateTimeKind.Utc), everyFive.Next(new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc)));
        // Day-of-month and day-of-week both restricted: either matches.
        var either = CronSchedule.Parse("0 0 13 * fri", out _)!;
        Assert.Equal(new DateTime(2025, 3, 7, 0, 0, 0, DateTimeKind.Utc), either.Next(new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc)));
    }
}
