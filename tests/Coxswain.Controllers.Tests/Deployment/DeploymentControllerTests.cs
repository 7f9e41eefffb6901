using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Tests.Deployment;

public sealed class DeploymentControllerTests
{
    [Fact]
    public async Task NewDeploymentCreatesAReplicaSetNamedByTheTemplateHash()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 3);
        d.Metadata.Annotations = new Dictionary<string, string>
        {
            ["kubernetes.io/change-cause"] = "first",
            ["kubectl.kubernetes.io/last-applied-configuration"] = "{}",
        };
        f.Seed(d);

        await f.SyncAsync(d);

        var rs = Assert.Single(f.Created());
        var hash = TemplateHash.Compute(d.Spec.Template);
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels["pod-template-hash"]);
        Assert.Equal("web", rs.Spec.Selector.MatchLabels["app"]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels["pod-template-hash"]);
        Assert.Equal(hash, rs.Metadata.Labels["pod-template-hash"]);
        Assert.Equal(3, rs.Spec.Replicas);
        Assert.Equal("uid-web", Assert.Single(rs.Metadata.OwnerReferences).Uid);
        Assert.Equal("1", rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal("3", rs.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"]);
        Assert.Equal("4", rs.Metadata.Annotations["deployment.kubernetes.io/max-replicas"]);
        Assert.Equal("first", rs.Metadata.Annotations["kubernetes.io/change-cause"]);
        Assert.False(rs.Metadata.Annotations.ContainsKey("kubectl.kubernetes.io/last-applied-configuration"));

        var status = f.LastStatus()!;
        Assert.Equal("1", status.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        var progressing = status.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "NewReplicaSetCreated"), (progressing.Status, progressing.Reason));
        Assert.Equal($"Created new replica set \"web-{hash}\"", progressing.Message);
        Assert.Contains($"Scaled up replica set web-{hash} from 0 to 3", await f.EventsAsync());
    }

    [Fact]
    public async Task TemplateChangeSurgesOneAndScalesDownOneOld()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 4, image: "nginx:2", maxSurge: "1", maxUnavailable: "1");
        var old = f.ReplicaSet(d, "nginx:1", replicas: 4, available: 4, revision: 1, desired: 4, max: 5);
        f.Seed(d);

        await f.SyncAsync(d);

        // New ReplicaSet: 4 + maxSurge 1 - 4 existing = 1; old: 4 available - (4 - maxUnavailable 1) = 1 may go.
        var created = Assert.Single(f.Created());
        Assert.Equal(1, created.Spec.Replicas);
        Assert.Equal("2", created.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal([(old.Metadata.Name, 3)], f.Scaled());
        var events = await f.EventsAsync();
        Assert.Contains($"Scaled up replica set {created.Metadata.Name} from 0 to 1", events);
        Assert.Contains($"Scaled down replica set {old.Metadata.Name} from 4 to 3", events);
    }

    [Fact]
    public async Task UnavailableNewPodsHoldBackTheOldReplicaSet()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 4, image: "nginx:2", maxSurge: "1", maxUnavailable: "1");
        f.ReplicaSet(d, "nginx:1", replicas: 3, available: 3, revision: 1, desired: 4, max: 5);
        f.ReplicaSet(d, "nginx:2", replicas: 2, available: 0, revision: 2, desired: 4, max: 5);
        f.Seed(d);

        await f.SyncAsync(d);

        // 5 pods asked for (the surge limit) and 3 available (the minimum): nothing may move.
        Assert.Empty(f.Created());
        Assert.Empty(f.Scaled());
        var status = f.LastStatus()!.Status;
        Assert.Equal((5, 2, 3, 2), (status.Replicas, status.UpdatedReplicas, status.AvailableReplicas, status.UnavailableReplicas));
        Assert.Equal("MinimumReplicasAvailable", status.Conditions.Single(c => c.Type == "Available").Reason);
    }

    [Fact]
    public async Task PercentagesRoundSurgeUpAndUnavailableDown()
    {
        using var f = new DeploymentFixture();
        // 10 replicas, 25%: surge 3 (2.5 up), unavailable 2 (2.5 down).
        var d = DeploymentFixture.Deployment("web", 10, image: "nginx:2");
        var old = f.ReplicaSet(d, "nginx:1", replicas: 10, available: 10, revision: 1, desired: 10, max: 13);
        f.Seed(d);

        await f.SyncAsync(d);

        Assert.Equal(3, Assert.Single(f.Created()).Spec.Replicas);
        Assert.Equal([(old.Metadata.Name, 8)], f.Scaled());
    }

    [Fact]
    public async Task UnhealthyOldReplicasGoFirst()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 4, image: "nginx:3", maxSurge: "0", maxUnavailable: "1");
        var older = f.ReplicaSet(d, "nginx:1", replicas: 2, available: 0, revision: 1, desired: 4, max: 4);
        var old = f.ReplicaSet(d, "nginx:2", replicas: 2, available: 2, revision: 2, desired: 4, max: 4);
        f.ReplicaSet(d, "nginx:3", replicas: 0, available: 0, revision: 3, desired: 4, max: 4);
        f.Seed(d);

        await f.SyncAsync(d);

        // 4 asked for, 3 must stay available: one pod may go, and it is an unavailable one of the oldest
        // ReplicaSet; the 2 available pods are below the minimum, so none of them goes.
        Assert.Equal([(older.Metadata.Name, 1)], f.Scaled());
        Assert.DoesNotContain(f.Scaled(), s => s.Name == old.Metadata.Name);
    }

    [Fact]
    public async Task ResizeMidRolloutScalesReplicaSetsProportionally()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 20, image: "nginx:2");
        var old = f.ReplicaSet(d, "nginx:1", replicas: 8, available: 8, revision: 1, desired: 10, max: 13);
        var newRS = f.ReplicaSet(d, "nginx:2", replicas: 5, available: 0, revision: 2, desired: 10, max: 13);
        f.Seed(d);

        await f.SyncAsync(d);

        // 20 + 5 surge = 25 allowed, 13 asked for: +12 split 8:5 of the old maximum 13 -> +7 and +5.
        var scaled = f.Scaled();
        Assert.Contains((old.Metadata.Name, 15), scaled);
        Assert.Contains((newRS.Metadata.Name, 10), scaled);
        Assert.Empty(f.Created());
        var events = await f.EventsAsync();
        Assert.Contains($"Scaled up replica set {old.Metadata.Name} from 8 to 15", events);
        var annotations = f.Api.Where("PUT", "/replicasets/").Select(r => r.Json!["metadata"]!["annotations"]!).ToList();
        Assert.All(annotations, a => Assert.Equal("20", a["deployment.kubernetes.io/desired-replicas"]!.GetValue<string>()));
        Assert.All(annotations, a => Assert.Equal("25", a["deployment.kubernetes.io/max-replicas"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ScaleDownMidRolloutTakesTheLeftoverFromTheLargest()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2, image: "nginx:2");
        var old = f.ReplicaSet(d, "nginx:1", replicas: 8, available: 8, revision: 1, desired: 10, max: 13);
        var newRS = f.ReplicaSet(d, "nginx:2", replicas: 5, available: 0, revision: 2, desired: 10, max: 13);
        f.Seed(d);

        await f.SyncAsync(d);

        // 2 + 1 surge = 3 allowed: -10 split as round(8*3/13)-8 = -6 and round(5*3/13)-5 = -4.
        var scaled = f.Scaled();
        Assert.Contains((old.Metadata.Name, 2), scaled);
        Assert.Contains((newRS.Metadata.Name, 1), scaled);
    }

    [Fact]
    public async Task OnlyActiveReplicaSetTakesTheWholeResize()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 10);
        var rs = f.ReplicaSet(d, "nginx:1", replicas: 3, available: 3, revision: 1, desired: 3, max: 4);
        f.Seed(d);

        await f.SyncAsync(d);

        Assert.Equal([(rs.Metadata.Name, 10)], f.Scaled());
        Assert.Contains($"Scaled up replica set {rs.Metadata.Name} from 3 to 10", await f.EventsAsync());
    }

    [Fact]
    public async Task CompleteRolloutScalesOldToZeroAndReportsNewReplicaSetAvailable()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 3, image: "nginx:2");
        var old = f.ReplicaSet(d, "nginx:1", replicas: 1, available: 1, revision: 1, desired: 3, max: 4);
        var newRS = f.ReplicaSet(d, "nginx:2", replicas: 3, available: 3, revision: 2, desired: 3, max: 4);
        f.Seed(d);

        await f.SyncAsync(d);
        Assert.Equal([(old.Metadata.Name, 0)], f.Scaled());

        // Next sync: the old ReplicaSet's pods are gone.
        f.Api.Clear();
        old.Spec.Replicas = 0;
        old.Status = new V1ReplicaSetStatus { Replicas = 0, ObservedGeneration = 1 };
        f.Seed(old);
        await f.SyncAsync(d);

        var status = f.LastStatus()!.Status;
        Assert.Equal((1L, 3, 3, 3, 3), (status.ObservedGeneration, status.Replicas, status.UpdatedReplicas, status.ReadyReplicas, status.AvailableReplicas));
        var available = status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
        var progressing = status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "NewReplicaSetAvailable", $"ReplicaSet \"{newRS.Metadata.Name}\" has successfully progressed."),
            (progressing.Status, progressing.Reason, progressing.Message));
    }

    [Fact]
    public async Task TooFewAvailablePodsMakeTheDeploymentUnavailable()
    {
        using var f = new DeploymentFixture();
        // 3 replicas, 25% unavailable rounds down to 0: every pod must be available.
        var d = DeploymentFixture.Deployment("web", 3);
        var rs = f.ReplicaSet(d, "nginx:1", replicas: 3, available: 2, revision: 1, desired: 3, max: 4);
        f.Seed(d);

        await f.SyncAsync(d);

        var status = f.LastStatus()!.Status;
        Assert.Equal((3, 2, 1), (status.Replicas, status.AvailableReplicas, status.UnavailableReplicas));
        var available = status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
            (available.Status, available.Reason, available.Message));
        var progressing = status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "ReplicaSetUpdated", $"ReplicaSet \"{rs.Metadata.Name}\" is progressing."),
            (progressing.Status, progressing.Reason, progressing.Message));
    }

    [Fact]
    public async Task OldEmptyReplicaSetsPastTheHistoryLimitAreDeleted()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2, image: "nginx:4");
        d.Spec.RevisionHistoryLimit = 1;
        var r1 = f.ReplicaSet(d, "nginx:1", 0, 0, revision: 1);
        var r2 = f.ReplicaSet(d, "nginx:2", 0, 0, revision: 2);
        var r3 = f.ReplicaSet(d, "nginx:3", 0, 0, revision: 3);
        f.ReplicaSet(d, "nginx:4", 2, 2, revision: 4, desired: 2, max: 3);
        d.Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 2, UpdatedReplicas = 2, AvailableReplicas = 2, ReadyReplicas = 2 };
        f.Seed(d);

        await f.SyncAsync(d);

        var deleted = f.Api.Where("DELETE", "/replicasets/").Select(r => r.Path).ToList();
        Assert.Equal(2, deleted.Count);
        Assert.Contains(deleted, p => p.Contains(r1.Metadata.Name, StringComparison.Ordinal));
        Assert.Contains(deleted, p => p.Contains(r2.Metadata.Name, StringComparison.Ordinal));
        Assert.DoesNotContain(deleted, p => p.Contains(r3.Metadata.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PausedDeploymentDoesNotRollOutButScales()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 5, image: "nginx:2");
        d.Spec.Paused = true;
        var old = f.ReplicaSet(d, "nginx:1", replicas: 3, available: 3, revision: 1, desired: 3, max: 4);
        f.Seed(d);

        await f.SyncAsync(d);

        Assert.Empty(f.Created());
        Assert.Equal([(old.Metadata.Name, 5)], f.Scaled());
        var progressing = f.LastStatus()!.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("Unknown", "DeploymentPaused", "Deployment is paused"), (progressing.Status, progressing.Reason, progressing.Message));

        // Resumed: the condition says so and the rollout starts.
        f.Api.Clear();
        d.Spec.Paused = false;
        d.Status.Conditions = [progressing];
        old.Spec.Replicas = 5;
        old.Status.AvailableReplicas = 5;
        old.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"] = "5";
        f.Seed(old);
        f.Seed(d);
        await f.SyncAsync(d);
        var first = f.Api.Where("PUT", "/status")[0].Json!;
        Assert.Contains(first["status"]!["conditions"]!.AsArray(), c => c!["reason"]!.GetValue<string>() == "DeploymentResumed");
        Assert.Single(f.Created());
    }

    [Fact]
    public async Task NoProgressForTheDeadlineIsReportedAsExceeded()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2, image: "nginx:2", maxSurge: "1", maxUnavailable: "0");
        f.ReplicaSet(d, "nginx:1", replicas: 2, available: 2, revision: 1, desired: 2, max: 3);
        var newRS = f.ReplicaSet(d, "nginx:2", replicas: 1, available: 0, revision: 2, desired: 2, max: 3);
        newRS.Status.ReadyReplicas = 0;
        var since = f.Time.GetUtcNow().UtcDateTime.AddSeconds(-601);
        d.Status = new V1DeploymentStatus
        {
            ObservedGeneration = 1, Replicas = 3, UpdatedReplicas = 1, AvailableReplicas = 2, ReadyReplicas = 2, UnavailableReplicas = 1,
            Conditions =
            [
                new V1DeploymentCondition { Type = "Available", Status = "True", Reason = "MinimumReplicasAvailable", Message = "Deployment has minimum availability.", LastUpdateTime = since, LastTransitionTime = since },
                new V1DeploymentCondition { Type = "Progressing", Status = "True", Reason = "ReplicaSetUpdated", Message = "x", LastUpdateTime = since, LastTransitionTime = since },
            ],
        };
        f.Seed(d);

        await f.SyncAsync(d);

        var progressing = f.LastStatus()!.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("False", "ProgressDeadlineExceeded", $"ReplicaSet \"{newRS.Metadata.Name}\" has timed out progressing."),
            (progressing.Status, progressing.Reason, progressing.Message));
    }

    [Fact]
    public async Task ProgressRefreshesTheProgressingCondition()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2, image: "nginx:2", maxSurge: "1", maxUnavailable: "0");
        f.ReplicaSet(d, "nginx:1", replicas: 2, available: 2, revision: 1, desired: 2, max: 3);
        f.ReplicaSet(d, "nginx:2", replicas: 1, available: 1, revision: 2, desired: 2, max: 3);
        var since = f.Time.GetUtcNow().UtcDateTime.AddSeconds(-100);
        d.Status = new V1DeploymentStatus
        {
            ObservedGeneration = 1, Replicas = 3, UpdatedReplicas = 1, AvailableReplicas = 2, ReadyReplicas = 2,
            Conditions = [new V1DeploymentCondition { Type = "Progressing", Status = "True", Reason = "NewReplicaSetCreated", Message = "x", LastUpdateTime = since, LastTransitionTime = since }],
        };
        f.Seed(d);

        await f.SyncAsync(d);

        var progressing = f.LastStatus()!.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal("ReplicaSetUpdated", progressing.Reason);
        Assert.Equal(f.Time.GetUtcNow().UtcDateTime, progressing.LastUpdateTime!.Value.ToUniversalTime());
        Assert.Equal(since, progressing.LastTransitionTime!.Value.ToUniversalTime());
    }

    [Fact]
    public async Task RecreateScalesOldToZeroAndWaitsForTheirPods()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 3, image: "nginx:2");
        d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        var old = f.ReplicaSet(d, "nginx:1", replicas: 3, available: 3, revision: 1, desired: 3, max: 3);
        f.Seed(d);

        await f.SyncAsync(d);
        Assert.Equal([(old.Metadata.Name, 0)], f.Scaled());
        Assert.Empty(f.Created());

        // Scaled to zero but a pod is still terminating: still no new ReplicaSet.
        f.Api.Clear();
        old.Spec.Replicas = 0;
        old.Status = new V1ReplicaSetStatus { Replicas = 0 };
        f.Seed(old);
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "p", NamespaceProperty = "ns", Uid = "pod-uid", Labels = new Dictionary<string, string>(old.Spec.Template.Metadata.Labels),
                OwnerReferences = [OwnerRefs.NewControllerRef(old, "apps/v1", "ReplicaSet")], DeletionTimestamp = DateTime.UtcNow,
            },
            Status = new V1PodStatus { Phase = "Running" },
        };
        f.Seed(pod);
        await f.SyncAsync(d);
        Assert.Empty(f.Created());

        // Gone: the new ReplicaSet comes with every replica at once.
        f.Api.Clear();
        pod.Status.Phase = "Succeeded";
        f.Seed(pod);
        await f.SyncAsync(d);
        Assert.Equal(3, Assert.Single(f.Created()).Spec.Replicas);
    }

    [Fact]
    public async Task NewReplicaSetConditionSurvivesAStaleCache()
    {
        // The cache still holds the deployment from before this controller's last status write: the write of
        // "Created new replica set" conflicts. Lost, the finished rollout's NewReplicaSetAvailable would stay, and the
        // new rollout would never be judged against its progress deadline.
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 3, image: "nginx:2");
        d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        var old = f.ReplicaSet(d, "nginx:1", replicas: 0, available: 0, revision: 1, desired: 3, max: 3);
        old.Status = new V1ReplicaSetStatus { Replicas = 0 };
        f.Seed(old);
        var since = f.Time.GetUtcNow().UtcDateTime.AddSeconds(-100);
        d.Status = new V1DeploymentStatus
        {
            ObservedGeneration = 1, Replicas = 0, UpdatedReplicas = 0,
            Conditions = [new V1DeploymentCondition { Type = "Progressing", Status = "True", Reason = "NewReplicaSetAvailable", Message = "x", LastUpdateTime = since, LastTransitionTime = since }],
        };
        f.Seed(d);
        var latest = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(d));
        latest.Metadata.ResourceVersion = "9";
        f.Api.Answer("GET", "/deployments/web", KubernetesJson.Serialize(latest));
        f.Api.FailOnce("PUT", "/deployments/web/status", System.Net.HttpStatusCode.Conflict, "Conflict");

        await f.SyncAsync(d);

        Assert.Single(f.Created());
        var writes = f.Api.Where("PUT", "/status").Select(r => KubernetesJson.Deserialize<V1Deployment>(r.Body)).ToList();
        Assert.Equal("9", writes[1].Metadata.ResourceVersion);
        Assert.Equal("NewReplicaSetCreated", writes[1].Status.Conditions.Single(c => c.Type == "Progressing").Reason);
        Assert.Equal("NewReplicaSetCreated", f.LastStatus()!.Status.Conditions.Single(c => c.Type == "Progressing").Reason);
    }

    [Fact]
    public async Task StatusOfAnOlderSpecIsNotForcedOverANewerOne()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2);
        f.Seed(d);
        var latest = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(d));
        latest.Metadata.Generation = 2;
        f.Api.Answer("GET", "/deployments/web", KubernetesJson.Serialize(latest));
        f.Api.Fail("PUT", "/deployments/web/status", System.Net.HttpStatusCode.Conflict, "Conflict");

        await Assert.ThrowsAnyAsync<Exception>(() => f.SyncAsync(d));

        Assert.Single(f.Api.Where("PUT", "/status"));
    }

    [Fact]
    public async Task RollbackToAnOldTemplateReusesItsReplicaSetWithTheNextRevision()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2, image: "nginx:1");
        var r1 = f.ReplicaSet(d, "nginx:1", replicas: 0, available: 0, revision: 1, desired: 2, max: 3);
        f.ReplicaSet(d, "nginx:2", replicas: 2, available: 2, revision: 2, desired: 2, max: 3);
        f.Seed(d);

        await f.SyncAsync(d);

        Assert.Empty(f.Created());
        var first = f.Api.Where("PUT", $"/replicasets/{r1.Metadata.Name}")[0].Json!;
        Assert.Equal("3", first["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
        Assert.Equal("1", first["metadata"]!["annotations"]!["deployment.kubernetes.io/revision-history"]!.GetValue<string>());
        Assert.Contains((r1.Metadata.Name, 1), f.Scaled());
        Assert.Equal("3", f.LastStatus()!.Metadata.Annotations["deployment.kubernetes.io/revision"]);
    }

    [Fact]
    public async Task FailedReplicaSetCreateIsReportedOnProgressing()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2);
        f.Seed(d);
        f.Api.Fail("POST", "/replicasets", System.Net.HttpStatusCode.Forbidden, "Forbidden");

        await Assert.ThrowsAnyAsync<Exception>(() => f.SyncAsync(d));

        var progressing = f.LastStatus()!.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("False", "ReplicaSetCreateError"), (progressing.Status, progressing.Reason));
        Assert.StartsWith("Failed to create new replica set \"web-", progressing.Message);
        Assert.Contains(await f.EventsAsync(), m => m.StartsWith("Failed to create new replica set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplicaSetFailureSurfacesOnTheDeployment()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 2);
        var rs = f.ReplicaSet(d, "nginx:1", replicas: 2, available: 0, revision: 1, desired: 2, max: 3);
        rs.Status.Conditions = [new V1ReplicaSetCondition { Type = "ReplicaFailure", Status = "True", Reason = "FailedCreate", Message = "quota", LastTransitionTime = DateTime.UtcNow }];
        rs.Status.Replicas = 0;
        f.Seed(rs);
        f.Seed(d);

        await f.SyncAsync(d);

        var failure = f.LastStatus()!.Status.Conditions.Single(c => c.Type == "ReplicaFailure");
        Assert.Equal(("True", "FailedCreate", "quota"), (failure.Status, failure.Reason, failure.Message));
    }

    [Fact]
    public async Task HashCollisionBumpsCollisionCount()
    {
        using var f = new DeploymentFixture();
        var d = DeploymentFixture.Deployment("web", 1);
        f.Seed(d);
        f.Api.Fail("POST", "/replicasets", System.Net.HttpStatusCode.Conflict, "AlreadyExists");

        // Not in the cache (our own create not seen yet): retried, no collision counted.
        await Assert.ThrowsAnyAsync<Exception>(() => f.SyncAsync(d));
        Assert.Null(f.LastStatus()?.Status.CollisionCount);

        // Someone else's ReplicaSet has the name: a collision; the next name will differ.
        var other = f.ReplicaSet(d, "nginx:1", 1, 1, revision: 1);
        other.Metadata.OwnerReferences = null;
        other.Metadata.Labels = new Dictionary<string, string> { ["app"] = "other" };
        f.Seed(other);
        await Assert.ThrowsAnyAsync<Exception>(() => f.SyncAsync(d));
        Assert.Equal(1, f.LastStatus()!.Status.CollisionCount);
        Assert.NotEqual(TemplateHash.Compute(d.Spec.Template), TemplateHash.Compute(d.Spec.Template, 1));
    }
}

public sealed class DeploymentUtilTests
{
    [Theory]
    [InlineData("25%", 10, true, 3)]
    [InlineData("25%", 10, false, 2)]
    [InlineData("3", 10, false, 3)]
    [InlineData("100%", 7, true, 7)]
    public void IntOrPercentScales(string value, int total, bool roundUp, int expected) =>
        Assert.Equal(expected, Coxswain.Controllers.Deployment.DeploymentUtil.Scaled(value, total, roundUp));

    [Fact]
    public void ZeroSurgeAndZeroUnavailableStillLetsOnePodGo()
    {
        var d = DeploymentFixture.Deployment("web", 3, maxSurge: "0", maxUnavailable: "0%");
        Assert.Equal((0, 1), Coxswain.Controllers.Deployment.DeploymentUtil.ResolveFenceposts(d));
    }

    [Fact]
    public void TemplatesCompareIgnoringTheHashAndEmptyFields()
    {
        var a = DeploymentFixture.Template("web", "nginx:1");
        var b = DeploymentFixture.Template("web", "nginx:1");
        b.Metadata.Labels["pod-template-hash"] = "abc";
        b.Spec.Containers[0].Resources = new V1ResourceRequirements();
        Assert.True(Coxswain.Controllers.Deployment.DeploymentUtil.EqualIgnoreHash(a, b));
        b.Spec.Containers[0].Image = "nginx:2";
        Assert.False(Coxswain.Controllers.Deployment.DeploymentUtil.EqualIgnoreHash(a, b));
    }
}
