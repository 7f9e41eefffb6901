using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Tests.Job;

/// <summary>One `cox server --simulated-nodes 3` for the Job and CronJob integration tests.</summary>
public sealed class SimulatedClusterFixture : IAsyncLifetime
{
    public CoxServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = Server.Client();
        await Wait.ForAsync(async () =>
        {
            var nodes = (await c.CoreV1.ListNodeAsync()).Items;
            return nodes.Count(n => n.Status?.Conditions?.Any(x => x is { Type: "Ready", Status: "True" }) == true) == 3 ? nodes : null;
        }, "3 simulated nodes Ready");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

internal static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, string what, int seconds = 90) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } v)
            {
                return v;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("timed out waiting for " + what);
    }

    /// <summary>A Job manifest whose pods' simulated containers exit with <paramref name="exitCode"/> a second after starting.</summary>
    public static string JobYaml(string name, int completions, int parallelism, int exitCode, string extraSpec = "") => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{name}}
        spec:
          completions: {{completions}}
          parallelism: {{parallelism}}
        {{extraSpec}}
          template:
            metadata:
              annotations:
                coxswain.dev/simulate-exit-code: "{{exitCode}}"
            spec:
              restartPolicy: Never
              containers:
              - name: work
                image: busybox
        """;
}

/// <summary>Jobs against a real `cox server` with simulated nodes, driven by the real kubectl.</summary>
public sealed class JobIntegrationTests(SimulatedClusterFixture fixture) : IClassFixture<SimulatedClusterFixture>
{
    [Fact]
    public async Task ParallelJobCompletesAndKubectlShowsIt()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("squares", completions: 3, parallelism: 2, exitCode: 0));
        var wait = await kubectl.RunAsync("wait --for=condition=complete job/squares --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());
        Assert.Contains("job.batch/squares condition met", wait.Stdout);

        var table = await kubectl.OkAsync("get job squares --no-headers");
        Assert.Matches(@"^squares\s+Complete\s+3/3\s", table);

        using var c = fixture.Server.Client();
        var job = await c.BatchV1.ReadNamespacedJobAsync("squares", "default");
        Assert.Equal(3, job.Status.Succeeded);
        Assert.NotNull(job.Status.StartTime);
        Assert.NotNull(job.Status.CompletionTime);
        Assert.Contains(job.Status.Conditions, x => x is { Type: "SuccessCriteriaMet", Status: "True" });
        var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "batch.kubernetes.io/job-name=squares")).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Equal("Succeeded", p.Status.Phase);
            Assert.StartsWith("squares-", p.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal(job.Metadata.Uid, p.Metadata.Labels["controller-uid"]);
            Assert.Equal("squares", p.Metadata.Labels["job-name"]);
            Assert.Equal(job.Metadata.Uid, p.Metadata.OwnerReferences.Single(o => o.Controller == true).Uid);
            // Counted: the job-tracking finalizer they were created with is gone.
            Assert.DoesNotContain("batch.kubernetes.io/job-tracking", p.Metadata.Finalizers ?? []);
        });
        Assert.Empty(job.Status.UncountedTerminatedPods?.Succeeded ?? []);
        Assert.Contains("3 Succeeded", await kubectl.OkAsync("describe job squares"));

        var events = await Wait.ForAsync(async () =>
        {
            var list = (await c.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=squares")).Items;
            return list.Any(e => e.Reason == "Completed") ? list : null;
        }, "Completed event");
        Assert.Contains(events, e => e.Reason == "SuccessfulCreate" && e.Message.StartsWith("Created pod: squares-", StringComparison.Ordinal));
        Assert.Contains(events, e => e is { Reason: "Completed", Message: "Job completed" });
    }

    [Fact]
    public async Task FailingJobStopsAtTheBackoffLimit()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("doomed", completions: 1, parallelism: 1, exitCode: 2, extraSpec: "  backoffLimit: 1"));
        var wait = await kubectl.RunAsync("wait --for=condition=failed job/doomed --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());

        using var c = fixture.Server.Client();
        var job = await c.BatchV1.ReadNamespacedJobAsync("doomed", "default");
        var failed = job.Status.Conditions.Single(x => x.Type == "Failed");
        Assert.Equal(("True", "BackoffLimitExceeded"), (failed.Status, failed.Reason));
        Assert.Equal(2, job.Status.Failed);
        Assert.Null(job.Status.CompletionTime);
        Assert.Matches(@"^doomed\s+Failed\s+0/1\s", await kubectl.OkAsync("get job doomed --no-headers"));
    }

    [Fact]
    public async Task PodFailurePolicyFailsTheJobAtTheFirstMatchingExit()
    {
        var kubectl = fixture.Server.Kubectl();
        const string policy = """
              backoffLimit: 6
              podFailurePolicy:
                rules:
                - action: FailJob
                  onExitCodes: {operator: In, values: [3]}
            """;
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("fatal", completions: 1, parallelism: 1, exitCode: 3, extraSpec: policy.TrimEnd()));
        var wait = await kubectl.RunAsync("wait --for=condition=failed job/fatal --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());
        using var c = fixture.Server.Client();
        var job = await c.BatchV1.ReadNamespacedJobAsync("fatal", "default");
        var failed = job.Status.Conditions.Single(x => x.Type == "Failed");
        Assert.Equal("PodFailurePolicy", failed.Reason);
        Assert.Contains("failed with exit code 3 matching FailJob rule at index 0", failed.Message);
        Assert.Equal(1, job.Status.Failed);
    }

    [Fact]
    public async Task IndexedJobCompletesEveryIndex()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("indexed", completions: 3, parallelism: 3, exitCode: 0, extraSpec: "  completionMode: Indexed"));
        var wait = await kubectl.RunAsync("wait --for=condition=complete job/indexed --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());
        using var c = fixture.Server.Client();
        var job = await c.BatchV1.ReadNamespacedJobAsync("indexed", "default");
        Assert.Equal("0-2", job.Status.CompletedIndexes);
        var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "batch.kubernetes.io/job-name=indexed")).Items;
        Assert.Equal(["indexed-0", "indexed-1", "indexed-2"], pods.Select(p => p.Spec.Hostname).Order());
    }

    [Fact]
    public async Task FinishedJobIsDeletedAfterItsTtl()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("shortlived", completions: 1, parallelism: 1, exitCode: 0, extraSpec: "  ttlSecondsAfterFinished: 1"));
        using var c = fixture.Server.Client();
        await Wait.ForAsync(async () =>
        {
            var jobs = (await c.BatchV1.ListNamespacedJobAsync("default", fieldSelector: "metadata.name=shortlived")).Items;
            return jobs.Count == 0 ? jobs : null;
        }, "job deleted after its TTL");
    }

    [Fact]
    public async Task SuspendedJobWaitsAndResumes()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("paused", completions: 2, parallelism: 2, exitCode: 0, extraSpec: "  suspend: true"));
        using var c = fixture.Server.Client();
        await Wait.ForAsync(async () =>
        {
            var job = await c.BatchV1.ReadNamespacedJobAsync("paused", "default");
            return job.Status?.Conditions?.FirstOrDefault(x => x is { Type: "Suspended", Status: "True", Reason: "JobSuspended" });
        }, "Suspended condition");
        Assert.Empty((await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "batch.kubernetes.io/job-name=paused")).Items);
        Assert.Matches(@"^paused\s+Suspended\s+0/2\s", await kubectl.OkAsync("get job paused --no-headers"));

        await kubectl.OkAsync("""patch job paused --type=merge -p '{"spec":{"suspend":false}}'""");
        var wait = await kubectl.RunAsync("wait --for=condition=complete job/paused --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());
        var resumed = (await c.BatchV1.ReadNamespacedJobAsync("paused", "default")).Status.Conditions.Single(x => x.Type == "Suspended");
        Assert.Equal(("False", "JobResumed"), (resumed.Status, resumed.Reason));
    }

    [Fact]
    public async Task ActiveDeadlineFailsAJobWhosePodsNeverFinish()
    {
        var kubectl = fixture.Server.Kubectl();
        // exit code annotation absent: the simulated containers run forever.
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("forever", completions: 1, parallelism: 1, exitCode: 0, extraSpec: "  activeDeadlineSeconds: 3").Replace("coxswain.dev/simulate-exit-code", "example.com/unused", StringComparison.Ordinal));
        var wait = await kubectl.RunAsync("wait --for=condition=failed job/forever --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());
        using var c = fixture.Server.Client();
        var job = await c.BatchV1.ReadNamespacedJobAsync("forever", "default");
        Assert.Equal("DeadlineExceeded", job.Status.Conditions.Single(x => x.Type == "Failed").Reason);
        Assert.Equal(1, job.Status.Failed); // the pod killed at the deadline counts as failed
        await Wait.ForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "batch.kubernetes.io/job-name=forever")).Items;
            return pods.Count == 0 ? pods : null;
        }, "the running pod deleted");
    }

    [Fact]
    public async Task DeletingAJobDeletesItsPodsDespiteTheTrackingFinalizer()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", Wait.JobYaml("dropped", completions: 2, parallelism: 2, exitCode: 0).Replace("coxswain.dev/simulate-exit-code", "example.com/unused", StringComparison.Ordinal));
        using var c = fixture.Server.Client();
        await Wait.ForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "batch.kubernetes.io/job-name=dropped")).Items;
            return pods.Count(p => p.Status?.Phase == "Running") == 2 ? pods : null;
        }, "2 pods Running");
        await kubectl.OkAsync("delete job dropped");
        await Wait.ForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "batch.kubernetes.io/job-name=dropped")).Items;
            return pods.Count == 0 ? pods : null;
        }, "the job's pods gone");
    }

    [Fact]
    public async Task AMatchingOrphanPodIsAdoptedAndCounted()
    {
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: stray
              labels: {app: adopt-me}
              annotations: {coxswain.dev/simulate-exit-code: "0"}
            spec:
              restartPolicy: Never
              containers: [{name: work, image: busybox}]
            """);
        await kubectl.OkAsync("apply -f -", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: adopter
            spec:
              manualSelector: true
              selector: {matchLabels: {app: adopt-me}}
              template:
                metadata:
                  labels: {app: adopt-me}
                  annotations: {coxswain.dev/simulate-exit-code: "0"}
                spec:
                  restartPolicy: Never
                  containers: [{name: work, image: busybox}]
            """);
        var wait = await kubectl.RunAsync("wait --for=condition=complete job/adopter --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(wait.ExitCode == 0, wait.ToString());
        using var c = fixture.Server.Client();
        var job = await c.BatchV1.ReadNamespacedJobAsync("adopter", "default");
        var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=adopt-me")).Items;
        Assert.Equal(1, job.Status.Succeeded);
        Assert.Contains(pods, p => p.Metadata.Name == "stray" && p.Metadata.OwnerReferences?.Single().Uid == job.Metadata.Uid);
    }
}
