using k8s;
using Coxswain.Controllers.Tests.Job;

namespace Coxswain.Controllers.Tests.CronJob;

/// <summary>CronJobs against a real `cox server` with simulated nodes, driven by the real kubectl.</summary>
public sealed class CronJobIntegrationTests(SimulatedClusterFixture fixture) : IClassFixture<SimulatedClusterFixture>
{
    [Fact]
    public async Task CronJobStartsJobsOnScheduleAndKubectlCanStartOneByHand()
    {
        var kubectl = fixture.Server.Kubectl();
        var create = await kubectl.RunAsync("create cronjob ticker --image=busybox --schedule=\"* * * * *\"");
        Assert.True(create.ExitCode == 0, create.ToString());
        // kubectl create cronjob has no annotation flag: patch the pod template so its containers complete.
        await kubectl.OkAsync("""patch cronjob ticker --type=merge -p '{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"annotations":{"coxswain.dev/simulate-exit-code":"0"}}}}}}}'""" );

        // By hand: client-side, a Job from the template owned by the CronJob.
        await kubectl.OkAsync("create job manual-tick --from=cronjob/ticker");
        var wait = await kubectl.RunAsync("wait --for=condition=complete job/manual-tick --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());

        using var c = fixture.Server.Client();
        var cronJob = await c.BatchV1.ReadNamespacedCronJobAsync("ticker", "default");
        var scheduled = await Wait.ForAsync(async () =>
        {
            var jobs = (await c.BatchV1.ListNamespacedJobAsync("default")).Items;
            return jobs.FirstOrDefault(j => j.Metadata.Name != "manual-tick" && j.Metadata.OwnerReferences?.Any(o => o.Uid == cronJob.Metadata.Uid) == true);
        }, "a scheduled job", seconds: 90);
        Assert.Matches(@"^ticker-\d+$", scheduled.Metadata.Name);
        var minutes = long.Parse(scheduled.Metadata.Name["ticker-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var at = DateTimeOffset.Parse(scheduled.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(minutes, at.ToUnixTimeSeconds() / 60);

        var status = await Wait.ForAsync(async () =>
        {
            var cj = await c.BatchV1.ReadNamespacedCronJobAsync("ticker", "default");
            return cj.Status?.LastSuccessfulTime != null && cj.Status.LastScheduleTime != null ? cj.Status : null;
        }, "lastSuccessfulTime and lastScheduleTime", seconds: 90);
        Assert.True(status.LastScheduleTime!.Value.ToUniversalTime() >= at.UtcDateTime); // a later minute may have run since
        var events = (await c.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=ticker")).Items;
        Assert.Contains(events, e => e.Reason == "SuccessfulCreate" && e.Message == $"Created job {scheduled.Metadata.Name}");
        Assert.Matches(@"^ticker\s+\* \* \* \* \*\s", await kubectl.OkAsync("get cronjob ticker --no-headers"));
    }
}
