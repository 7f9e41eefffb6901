using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.Job;
using Coxswain.Controllers.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Controllers.Tests.Job;

public sealed class JobControllerTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly FakeApi _api = new();
    private readonly Kubernetes _client;
    private readonly ControllerManager _manager;
    private readonly JobController _controller;
    private int _pods;

    public JobControllerTests()
    {
        _client = _api.Client();
        _manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        _controller = new JobController(_manager, new FakeTimeProvider(Now));
    }

    public void Dispose() => _client.Dispose();

    private static V1Job Job(int? completions = 1, int parallelism = 1, int backoffLimit = 6, string mode = "NonIndexed", bool suspend = false) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta { Name = "pi", NamespaceProperty = "ns", Uid = "job-uid", ResourceVersion = "1" },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            CompletionMode = mode,
            Suspend = suspend,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["batch.kubernetes.io/controller-uid"] = "job-uid" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["batch.kubernetes.io/controller-uid"] = "job-uid", ["batch.kubernetes.io/job-name"] = "pi" } },
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "pi", Image = "perl" }] },
            },
        },
        Status = new V1JobStatus { StartTime = Now.AddSeconds(-30) },
    };

    private V1Pod Pod(V1Job job, string phase, bool ready = false, int? index = null, DateTime? finished = null, bool deleting = false)
    {
        var n = ++_pods;
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"pi-{n}", NamespaceProperty = "ns", Uid = $"pod-{n}", CreationTimestamp = Now.AddSeconds(-20 + n),
                Labels = new Dictionary<string, string>(job.Spec.Template.Metadata.Labels),
                Annotations = index is { } i ? new Dictionary<string, string> { [JobPods.CompletionIndexKey] = i.ToString() } : null,
                OwnerReferences = [OwnerRefs.NewControllerRef(job, "batch/v1", "Job")],
                Finalizers = [JobController.TrackingFinalizer],
                DeletionTimestamp = deleting ? Now : null,
            },
            Spec = new V1PodSpec { NodeName = "node-1", Containers = job.Spec.Template.Spec.Containers },
            Status = new V1PodStatus
            {
                Phase = phase,
                Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
                ContainerStatuses = phase is "Succeeded" or "Failed"
                    ? [new V1ContainerStatus { Name = "pi", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = phase == "Failed" ? 1 : 0, FinishedAt = finished ?? Now.AddSeconds(-15) } } }]
                    : null,
            },
        };
        _manager.Informers.For(ResourceTypes.Pods).Indexer.Upsert(pod);
        return pod;
    }

    private async Task<V1JobStatus?> SyncAsync(V1Job job)
    {
        _manager.Informers.For(ResourceTypes.Jobs).Indexer.Upsert(job);
        await _controller.SyncAsync("ns/pi", CancellationToken.None);
        var put = _api.Where("PUT", "/jobs/pi/status").LastOrDefault();
        return put == null ? null : KubernetesJson.Deserialize<V1Job>(put.Body).Status;
    }

    private static V1JobCondition? Condition(V1JobStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    [Fact]
    public async Task ParallelismCapsActivePods()
    {
        var job = Job(completions: 5, parallelism: 2);
        var status = await SyncAsync(job);
        var creates = _api.Where("POST", "/pods");
        Assert.Equal(2, creates.Count);
        var pod = KubernetesJson.Deserialize<V1Pod>(creates[0].Body);
        Assert.Equal("pi-", pod.Metadata.GenerateName);
        Assert.Equal("job-uid", pod.Metadata.Labels["batch.kubernetes.io/controller-uid"]);
        Assert.Equal([JobController.TrackingFinalizer], pod.Metadata.Finalizers);
        Assert.Equal(("Job", "pi", true), (pod.Metadata.OwnerReferences[0].Kind, pod.Metadata.OwnerReferences[0].Name, pod.Metadata.OwnerReferences[0].Controller == true));
        Assert.Equal(0, status?.Active ?? 0);

        // Two running and one succeeded: still capped at parallelism, nothing to create (completions - succeeded = 4 > 2).
        _api.Clear();
        var controller = new JobController(_manager, new FakeTimeProvider(Now));
        Pod(job, "Running", ready: true);
        Pod(job, "Running");
        Pod(job, "Succeeded");
        _manager.Informers.For(ResourceTypes.Jobs).Indexer.Upsert(job);
        await controller.SyncAsync("ns/pi", CancellationToken.None);
        Assert.Empty(_api.Where("POST", "/pods"));
        status = KubernetesJson.Deserialize<V1Job>(_api.Where("PUT", "/jobs/pi/status").Last().Body).Status;
        Assert.Equal((2, 1, 1), (status.Active, status.Ready, status.Succeeded));
    }

    [Fact]
    public async Task ExpectationsHoldBackASecondRoundOfCreates()
    {
        var job = Job(completions: 3, parallelism: 3);
        await SyncAsync(job);
        Assert.Equal(3, _api.Where("POST", "/pods").Count);
        await SyncAsync(job); // the informer has not seen the pods yet
        Assert.Equal(3, _api.Where("POST", "/pods").Count);
    }

    [Fact]
    public async Task CompletionsReachedCompletesTheJob()
    {
        var job = Job(completions: 3, parallelism: 2);
        for (var i = 0; i < 3; i++)
        {
            Pod(job, "Succeeded");
        }
        var status = await SyncAsync(job);
        Assert.Empty(_api.Where("POST", "/pods"));
        Assert.Equal(3, status!.Succeeded);
        Assert.Equal(("True", "CompletionsReached"), (Condition(status, "SuccessCriteriaMet")?.Status, Condition(status, "SuccessCriteriaMet")?.Reason));
        Assert.Equal(("True", "CompletionsReached"), (Condition(status, "Complete")?.Status, Condition(status, "Complete")?.Reason));
        Assert.Equal(Now, status.CompletionTime);
    }

    [Fact]
    public async Task CompleteWaitsForSurplusPodsToGo()
    {
        var job = Job(completions: 2, parallelism: 2);
        Pod(job, "Succeeded");
        Pod(job, "Succeeded");
        var running = Pod(job, "Running");
        var status = await SyncAsync(job);
        // A surplus pod loses its tracking finalizer before its deletion: it is not counted as failed.
        var requests = _api.Requests.Where(r => r.Path.EndsWith("/pods/" + running.Metadata.Name, StringComparison.Ordinal)).ToList();
        Assert.Equal(["PATCH", "DELETE"], requests.Select(r => r.Method));
        Assert.Null(Condition(status, "SuccessCriteriaMet")); // not while a pod is active
        Assert.Null(Condition(status, "Complete"));
        Assert.Equal((2, 0), (status!.Succeeded, status.Failed ?? 0));
    }

    [Fact]
    public async Task BackoffLimitFailsTheJob()
    {
        var job = Job(completions: 1, backoffLimit: 1);
        Pod(job, "Failed");
        Pod(job, "Failed");
        var status = await SyncAsync(job);
        Assert.Empty(_api.Where("POST", "/pods"));
        Assert.Equal(2, status!.Failed);
        Assert.Equal("BackoffLimitExceeded", Condition(status, "FailureTarget")?.Reason);
        var failed = Condition(status, "Failed");
        Assert.Equal(("True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), (failed?.Status, failed?.Reason, failed?.Message));
        Assert.Null(status.CompletionTime);
    }

    [Fact]
    public async Task AFailureHoldsBackTheReplacementForTheBackoff()
    {
        var job = Job(completions: 1, backoffLimit: 3);
        Pod(job, "Failed", finished: Now.AddSeconds(-2));
        var status = await SyncAsync(job);
        Assert.Empty(_api.Where("POST", "/pods"));
        Assert.Equal(1, status!.Failed);
        Assert.Null(Condition(status, "FailureTarget"));

        var controller = new JobController(_manager, new FakeTimeProvider(Now.AddSeconds(9)));
        await controller.SyncAsync("ns/pi", CancellationToken.None); // 10 s backoff from the failure: 1 s later
        Assert.Single(_api.Where("POST", "/pods"));
    }

    [Fact]
    public async Task ActiveDeadlineFailsTheJobAndDeletesActivePods()
    {
        var job = Job(completions: 2);
        job.Spec.ActiveDeadlineSeconds = 10;
        var running = Pod(job, "Running");
        var status = await SyncAsync(job);
        Assert.Single(_api.Where("DELETE", "/pods/" + running.Metadata.Name));
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (Condition(status, "FailureTarget")?.Reason, Condition(status, "FailureTarget")?.Message));
        Assert.Null(Condition(status, "Failed")); // a pod is still running

        // Once the pods are gone the job fails.
        _manager.Informers.For(ResourceTypes.Pods).Indexer.Delete("ns/" + running.Metadata.Name);
        job.Status = status;
        var controller = new JobController(_manager, new FakeTimeProvider(Now));
        _api.Clear();
        _manager.Informers.For(ResourceTypes.Jobs).Indexer.Upsert(job);
        await controller.SyncAsync("ns/pi", CancellationToken.None);
        status = KubernetesJson.Deserialize<V1Job>(_api.Where("PUT", "/jobs/pi/status").Single().Body).Status;
        Assert.Equal(("True", "DeadlineExceeded"), (Condition(status, "Failed")?.Status, Condition(status, "Failed")?.Reason));
    }

    [Fact]
    public async Task SuspendDeletesActivePodsAndSetsTheCondition()
    {
        var job = Job(completions: 2, parallelism: 2, suspend: true);
        Pod(job, "Running");
        Pod(job, "Running");
        var status = await SyncAsync(job);
        Assert.Equal(2, _api.Where("DELETE", "/pods/").Count);
        Assert.Empty(_api.Where("POST", "/pods"));
        var suspended = Condition(status, "Suspended");
        Assert.Equal(("True", "JobSuspended"), (suspended?.Status, suspended?.Reason));
    }

    [Fact]
    public async Task IndexedJobsCreateTheMissingIndexes()
    {
        var job = Job(completions: 3, parallelism: 3, mode: "Indexed");
        Pod(job, "Succeeded", index: 1);
        var status = await SyncAsync(job);
        var pods = _api.Where("POST", "/pods").Select(r => KubernetesJson.Deserialize<V1Pod>(r.Body)).OrderBy(p => p.Metadata.Annotations[JobPods.CompletionIndexKey]).ToList();
        Assert.Equal(["0", "2"], pods.Select(p => p.Metadata.Annotations[JobPods.CompletionIndexKey]));
        Assert.Equal(["0", "2"], pods.Select(p => p.Metadata.Labels[JobPods.CompletionIndexKey]));
        Assert.Equal(["pi-0", "pi-2"], pods.Select(p => p.Spec.Hostname));
        Assert.Equal(["pi-0-", "pi-2-"], pods.Select(p => p.Metadata.GenerateName));
        Assert.Contains(pods[0].Spec.Containers[0].Env, e => e.Name == "JOB_COMPLETION_INDEX");
        Assert.Equal("1", status!.CompletedIndexes);
    }

    [Fact]
    public void CompletedIndexesAreCompressedIntoIntervals()
    {
        Assert.Equal("0-2,4,6-7", JobPods.FormatIndexes([0, 1, 2, 4, 6, 7]));
        Assert.Null(JobPods.FormatIndexes([]));
        Assert.Equal([0, 1, 2, 4, 6], JobController.ParseIndexes("0-2,4,6-7", completions: 7));
    }

    [Fact]
    public async Task FinishedPodsAreRecordedUncountedBeforeTheirFinalizerGoes()
    {
        var job = Job(completions: 3, parallelism: 1);
        var done = Pod(job, "Succeeded");
        var deleted = Pod(job, "Running", deleting: true); // deleted before it finished: a failure
        var status = await SyncAsync(job);
        var requests = _api.Requests.Where(r => r.Path.Contains("/status") || r.Method == "PATCH").ToList();
        // 1. the uids go on record, 2. the finalizers go, 3. the uids move into the counters.
        var first = KubernetesJson.Deserialize<V1Job>(requests[0].Body).Status;
        Assert.Equal([done.Metadata.Uid], first.UncountedTerminatedPods.Succeeded);
        Assert.Equal([deleted.Metadata.Uid], first.UncountedTerminatedPods.Failed);
        Assert.Equal(["PATCH", "PATCH"], requests.Skip(1).Take(2).Select(r => r.Method));
        Assert.All(requests.Skip(1).Take(2), r => Assert.Contains("$deleteFromPrimitiveList/finalizers", r.Body));
        Assert.Equal((1, 1), (status!.Succeeded, status.Failed));
        Assert.Empty(status.UncountedTerminatedPods.Succeeded);
        Assert.Empty(status.UncountedTerminatedPods.Failed);

        // The informer has not yet shown the finalizers gone: the same pods are not counted twice.
        job.Status = status;
        _api.Clear();
        status = await SyncAsync(job);
        Assert.Empty(_api.Where("PATCH", "/pods/"));
        Assert.Equal((1, 1), (status?.Succeeded ?? 1, status?.Failed ?? 1));
    }

    [Fact]
    public async Task PodFailurePolicyFailsTheJobOrIgnoresTheFailure()
    {
        var job = Job(completions: 1, backoffLimit: 0);
        job.Spec.PodFailurePolicy = new V1PodFailurePolicy
        {
            Rules =
            [
                new V1PodFailurePolicyRule { Action = "Ignore", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "In", Values = [1] } },
                new V1PodFailurePolicyRule { Action = "FailJob", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { ContainerName = "pi", OperatorProperty = "NotIn", Values = [1, 2] } },
            ],
        };
        Pod(job, "Failed", finished: Now.AddSeconds(-60)); // exit code 1: ignored, despite backoffLimit 0
        var status = await SyncAsync(job);
        Assert.Equal(0, status!.Failed ?? 0);
        Assert.Null(Condition(status, "FailureTarget"));
        Assert.Single(_api.Where("POST", "/pods"));

        var fatal = Pod(job, "Failed");
        fatal.Status.ContainerStatuses[0].State.Terminated.ExitCode = 42;
        _api.Clear();
        var controller = new JobController(_manager, new FakeTimeProvider(Now));
        _manager.Informers.For(ResourceTypes.Jobs).Indexer.Upsert(job);
        await controller.SyncAsync("ns/pi", CancellationToken.None);
        status = KubernetesJson.Deserialize<V1Job>(_api.Where("PUT", "/jobs/pi/status").Last().Body).Status;
        var failed = Condition(status, "Failed");
        Assert.Equal(("True", "PodFailurePolicy"), (failed?.Status, failed?.Reason));
        Assert.Equal($"Container pi for pod ns/{fatal.Metadata.Name} failed with exit code 42 matching FailJob rule at index 1", failed?.Message);
    }

    [Fact]
    public async Task PodsOfADeletedJobLoseTheirFinalizer()
    {
        var job = Job();
        Pod(job, "Running", deleting: true);
        await _controller.SyncAsync("ns/pi", CancellationToken.None); // the Job is not in the cache: gone
        Assert.Contains("$deleteFromPrimitiveList/finalizers", Assert.Single(_api.Where("PATCH", "/pods/")).Body);
    }
}
