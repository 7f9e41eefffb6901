using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.CronJob;
using Coxswain.Controllers.Job;
using Coxswain.Controllers.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Controllers.Tests.CronJob;

public sealed class CronScheduleTests
{
    private static CronSchedule Parse(string schedule, string zone = "UTC")
    {
        Assert.True(CronSchedule.TryParse(schedule, TimeZoneInfo.FindSystemTimeZoneById(zone), out var s, out var error), error);
        return s!;
    }

    private static DateTime Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void FiveFieldSchedules()
    {
        Assert.Equal(Utc(1, 10, 10, 15), Parse("*/15 * * * *").Next(Utc(1, 10, 10, 7)));
        Assert.Equal(Utc(1, 10, 10, 30), Parse("*/15 * * * *").Next(Utc(1, 10, 10, 15))); // strictly after
        Assert.Equal(Utc(1, 12, 9, 0), Parse("0 9 * * 1-5").Next(Utc(1, 10, 10, 0))); // Saturday → Monday
        Assert.Equal(Utc(2, 1, 0, 5), Parse("5 0 1 * *").Next(Utc(1, 10, 10, 0)));
    }

    [Fact]
    public void DayOfMonthAndDayOfWeekMatchEitherAsInCron()
    {
        // Both restricted: the 13th OR a Friday (2026-01-16 is a Friday, before the 13th of February).
        Assert.Equal(Utc(1, 16, 0, 0), Parse("0 0 13 * 5").Next(Utc(1, 13, 12, 0)));
        Assert.Equal(Utc(2, 6, 0, 0), Parse("0 0 13 * 5").Next(Utc(1, 30, 12, 0)));
        // One of them unrestricted: the other decides alone.
        Assert.Equal(Utc(1, 16, 0, 0), Parse("0 0 * * 5").Next(Utc(1, 13, 12, 0)));
        Assert.Equal(Utc(2, 13, 0, 0), Parse("0 0 13 * *").Next(Utc(1, 13, 12, 0)));
    }

    [Fact]
    public void Macros()
    {
        Assert.Equal(Utc(1, 10, 11, 0), Parse("@hourly").Next(Utc(1, 10, 10, 7)));
        Assert.Equal(Utc(1, 11, 0, 0), Parse("@daily").Next(Utc(1, 10, 10, 7)));
        Assert.Equal(Utc(1, 11, 0, 0), Parse("@midnight").Next(Utc(1, 10, 10, 7)));
        Assert.Equal(Utc(1, 11, 0, 0), Parse("@weekly").Next(Utc(1, 10, 10, 7))); // 2026-01-11 is a Sunday
        Assert.Equal(Utc(2, 1, 0, 0), Parse("@monthly").Next(Utc(1, 10, 10, 7)));
        Assert.Equal(new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), Parse("@yearly").Next(Utc(1, 10, 10, 7)));
        Assert.Equal(new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), Parse("@annually").Next(Utc(1, 10, 10, 7)));
    }

    [Fact]
    public void TimeZonesIncludingDaylightSaving()
    {
        // 09:00 in New York is 14:00 UTC in winter (EST) and 13:00 UTC in summer (EDT); midnight in Tokyo is 15:00 UTC.
        Assert.Equal(Utc(1, 10, 14, 0), Parse("0 9 * * *", "America/New_York").Next(Utc(1, 10, 12, 0)));
        Assert.Equal(Utc(7, 10, 13, 0), Parse("0 9 * * *", "America/New_York").Next(Utc(7, 10, 12, 0)));
        Assert.Equal(Utc(1, 10, 15, 0), Parse("@daily", "Asia/Tokyo").Next(Utc(1, 10, 12, 0)));
    }

    [Fact]
    public void InvalidSchedulesAreRejected()
    {
        foreach (var bad in new[] { "* * * *", "* * * * * *", "61 * * * *", "@every_minute", "@fortnightly", "" })
        {
            Assert.False(CronSchedule.TryParse(bad, TimeZoneInfo.Utc, out _, out var error), bad);
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void MostRecentCountsMissedTimes()
    {
        var s = Parse("*/15 * * * *");
        Assert.Equal((Utc(1, 10, 10, 45), 3), s.MostRecent(Utc(1, 10, 10, 0), Utc(1, 10, 10, 47)));
        Assert.Equal((null, 0), s.MostRecent(Utc(1, 10, 10, 0), Utc(1, 10, 10, 14)));
        var (recent, missed) = Parse("* * * * *").MostRecent(Utc(1, 1, 0, 0), Utc(3, 1, 12, 34));
        Assert.Equal(Utc(3, 1, 12, 34), recent);
        Assert.True(missed > 100);
    }
}

public sealed class CronJobControllerTests : IDisposable
{
    // 10:05:10 UTC; the CronJob was created at 10:00:30.
    private static readonly DateTime Now = new(2026, 3, 1, 10, 5, 10, DateTimeKind.Utc);

    private readonly FakeApi _api = new();
    private readonly Kubernetes _client;
    private readonly ControllerManager _manager;
    private readonly CronJobController _controller;

    public CronJobControllerTests()
    {
        _client = _api.Client();
        _manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        _controller = new CronJobController(_manager, new FakeTimeProvider(Now));
    }

    public void Dispose() => _client.Dispose();

    private static V1CronJob CronJob(string schedule = "*/5 * * * *", string policy = "Allow") => new()
    {
        ApiVersion = "batch/v1",
        Kind = "CronJob",
        Metadata = new V1ObjectMeta { Name = "hello", NamespaceProperty = "ns", Uid = "cj-uid", CreationTimestamp = new DateTime(2026, 3, 1, 10, 0, 30, DateTimeKind.Utc) },
        Spec = new V1CronJobSpec
        {
            Schedule = schedule,
            TimeZone = "Etc/UTC",
            ConcurrencyPolicy = policy,
            SuccessfulJobsHistoryLimit = 3,
            FailedJobsHistoryLimit = 1,
            JobTemplate = new V1JobTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "hello" } },
                Spec = new V1JobSpec
                {
                    Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "OnFailure", Containers = [new V1Container { Name = "c", Image = "busybox" }] } },
                },
            },
        },
        Status = new V1CronJobStatus(),
    };

    private V1Job Job(V1CronJob cj, string name, string? finished = null, int startMinute = 0)
    {
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", Uid = "uid-" + name, OwnerReferences = [OwnerRefs.NewControllerRef(cj, "batch/v1", "CronJob")] },
            Spec = new V1JobSpec(),
            Status = new V1JobStatus
            {
                StartTime = new DateTime(2026, 3, 1, 9, startMinute, 0, DateTimeKind.Utc),
                CompletionTime = finished == "Complete" ? new DateTime(2026, 3, 1, 9, startMinute, 30, DateTimeKind.Utc) : null,
                Conditions = finished == null ? null : [new V1JobCondition { Type = finished, Status = "True" }],
            },
        };
        _manager.Informers.For(ResourceTypes.Jobs).Indexer.Upsert(job);
        return job;
    }

    private static V1ObjectReference Ref(V1Job job) => new() { Kind = "Job", Name = job.Metadata.Name, NamespaceProperty = "ns", Uid = job.Metadata.Uid };

    private async Task<V1CronJobStatus?> SyncAsync(V1CronJob cj)
    {
        _manager.Informers.For(ResourceTypes.CronJobs).Indexer.Upsert(cj);
        await _controller.SyncAsync("ns/hello", CancellationToken.None);
        var put = _api.Where("PUT", "/cronjobs/hello/status").LastOrDefault();
        return put == null ? null : KubernetesJson.Deserialize<V1CronJob>(put.Body).Status;
    }

    [Fact]
    public async Task CreatesTheJobDueNamedAfterItsScheduledMinute()
    {
        var status = await SyncAsync(CronJob());
        var post = Assert.Single(_api.Where("POST", "/jobs"));
        var job = KubernetesJson.Deserialize<V1Job>(post.Body);
        var scheduled = new DateTime(2026, 3, 1, 10, 5, 0, DateTimeKind.Utc);
        Assert.Equal($"hello-{new DateTimeOffset(scheduled).ToUnixTimeSeconds() / 60}", job.Metadata.Name);
        Assert.Equal("2026-03-01T10:05:00Z", job.Metadata.Annotations[CronJobController.ScheduledTimestampAnnotation]);
        Assert.Equal("hello", job.Metadata.Labels["app"]);
        Assert.Equal(("CronJob", "hello", true), (job.Metadata.OwnerReferences[0].Kind, job.Metadata.OwnerReferences[0].Name, job.Metadata.OwnerReferences[0].Controller == true));
        Assert.Equal("OnFailure", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(scheduled, status!.LastScheduleTime);
        Assert.Equal(job.Metadata.Name, Assert.Single(status.Active).Name);
    }

    [Fact]
    public void ScheduledTimestampIsInTheCronJobsTimeZone()
    {
        var cj = CronJob();
        var job = CronJobController.JobFromTemplate(cj, new DateTime(2026, 1, 10, 14, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Assert.Equal("2026-01-10T09:00:00-05:00", job.Metadata.Annotations[CronJobController.ScheduledTimestampAnnotation]);
    }

    [Fact]
    public async Task NothingDueNothingCreated()
    {
        var cj = CronJob();
        cj.Status.LastScheduleTime = new DateTime(2026, 3, 1, 10, 5, 0, DateTimeKind.Utc);
        Assert.Null(await SyncAsync(cj));
        Assert.Empty(_api.Where("POST", "/jobs"));
    }

    [Fact]
    public async Task SuspendedCronJobsStartNothing()
    {
        var cj = CronJob();
        cj.Spec.Suspend = true;
        await SyncAsync(cj);
        Assert.Empty(_api.Where("POST", "/jobs"));
    }

    [Fact]
    public async Task StartingDeadlineSkipsTimesTooLongAgo()
    {
        var cj = CronJob();
        cj.Spec.StartingDeadlineSeconds = 5; // 10:05:00 was 10 s ago
        await SyncAsync(cj);
        Assert.Empty(_api.Where("POST", "/jobs"));
        cj.Spec.StartingDeadlineSeconds = 60;
        await SyncAsync(cj);
        Assert.Single(_api.Where("POST", "/jobs"));
    }

    [Fact]
    public async Task ForbidKeepsTheRunningJob()
    {
        var cj = CronJob(policy: "Forbid");
        var running = Job(cj, "hello-old");
        cj.Status.Active = [Ref(running)];
        cj.Status.LastScheduleTime = new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        await SyncAsync(cj);
        Assert.Empty(_api.Where("POST", "/jobs"));
        Assert.Empty(_api.Where("DELETE", "/jobs/"));
    }

    [Fact]
    public async Task AllowRunsJobsConcurrently()
    {
        var cj = CronJob(policy: "Allow");
        var running = Job(cj, "hello-old");
        cj.Status.Active = [Ref(running)];
        cj.Status.LastScheduleTime = new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        var status = await SyncAsync(cj);
        Assert.Single(_api.Where("POST", "/jobs"));
        Assert.Equal(2, status!.Active.Count);
    }

    [Fact]
    public async Task ReplaceDeletesTheRunningJobFirst()
    {
        var cj = CronJob(policy: "Replace");
        var running = Job(cj, "hello-old");
        cj.Status.Active = [Ref(running)];
        cj.Status.LastScheduleTime = new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        var status = await SyncAsync(cj);
        var delete = Assert.Single(_api.Where("DELETE", "/jobs/hello-old"));
        Assert.Contains("Background", delete.Body);
        Assert.Single(_api.Where("POST", "/jobs"));
        Assert.DoesNotContain(status!.Active, r => r.Name == "hello-old");
        Assert.Single(status.Active);
    }

    [Fact]
    public async Task FinishedJobsLeaveTheActiveListAndSetLastSuccessfulTime()
    {
        var cj = CronJob();
        var done = Job(cj, "hello-done", finished: "Complete", startMinute: 50);
        cj.Status.Active = [Ref(done)];
        cj.Status.LastScheduleTime = new DateTime(2026, 3, 1, 10, 5, 0, DateTimeKind.Utc);
        var status = await SyncAsync(cj);
        Assert.Empty(status!.Active ?? []);
        Assert.Equal(new DateTime(2026, 3, 1, 9, 50, 30, DateTimeKind.Utc), status.LastSuccessfulTime);
    }

    [Fact]
    public async Task HistoryLimitsDeleteTheOldestFinishedJobs()
    {
        var cj = CronJob();
        cj.Status.LastScheduleTime = new DateTime(2026, 3, 1, 10, 5, 0, DateTimeKind.Utc);
        for (var i = 1; i <= 5; i++)
        {
            Job(cj, $"hello-ok-{i}", finished: "Complete", startMinute: i);
        }
        Job(cj, "hello-bad-1", finished: "Failed", startMinute: 1);
        Job(cj, "hello-bad-2", finished: "Failed", startMinute: 2);
        Job(cj, "hello-running", startMinute: 0);
        await SyncAsync(cj);
        var deleted = _api.Where("DELETE", "/jobs/").Select(r => r.Path.Split('/').Last()).Order().ToList();
        Assert.Equal(["hello-bad-1", "hello-ok-1", "hello-ok-2"], deleted);
    }

    [Fact]
    public async Task AnUnparseableScheduleStartsNothing()
    {
        await SyncAsync(CronJob(schedule: "every tuesday"));
        Assert.Empty(_api.Where("POST", "/jobs"));
    }
}
