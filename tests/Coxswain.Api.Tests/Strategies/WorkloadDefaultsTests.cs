using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class WorkloadDefaultsTests
{
    private const string TemplateIn = """
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: app, image: "nginx:1.27"}]
        """;

    private static string TemplateOut(string restartPolicy = "Always") => $$$"""
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - {name: app, image: "nginx:1.27", imagePullPolicy: IfNotPresent, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File}
              dnsPolicy: ClusterFirst
              restartPolicy: {{{restartPolicy}}}
              schedulerName: default-scheduler
              securityContext: {}
              terminationGracePeriodSeconds: 30
        """;

    [Fact]
    public void ReplicaSet() => AssertJson("""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web, namespace: default}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
        """ + "\n" + TemplateOut(), Created<V1ReplicaSet>("apps", """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web, namespace: default}
        spec:
          selector: {matchLabels: {app: web}}
        """ + "\n" + TemplateIn));

    [Fact]
    public void StatefulSet() => AssertJson("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: default}
        spec:
          replicas: 1
          serviceName: db
          podManagementPolicy: OrderedReady
          revisionHistoryLimit: 10
          persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}
          updateStrategy:
            type: RollingUpdate
            rollingUpdate: {partition: 0}
          selector: {matchLabels: {app: web}}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
              volumeMode: Filesystem
            status: {phase: Pending}
        """ + "\n" + TemplateOut(), Created<V1StatefulSet>("apps", """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: default}
        spec:
          serviceName: db
          selector: {matchLabels: {app: web}}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
        """ + "\n" + TemplateIn));

    [Fact]
    public void StatefulSetOnDeleteHasNoRollingUpdate()
    {
        var sts = Created<V1StatefulSet>("apps", """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              updateStrategy: {type: OnDelete}
              selector: {matchLabels: {app: web}}
            """ + "\n" + TemplateIn);
        Assert.Null(sts.Spec.UpdateStrategy.RollingUpdate);
    }

    [Fact]
    public void DaemonSet() => AssertJson("""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: kube-system, annotations: {deprecated.daemonset.template.generation: "1"}}
        spec:
          revisionHistoryLimit: 10
          selector: {matchLabels: {app: web}}
          updateStrategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: 0, maxUnavailable: 1}
        """ + "\n" + TemplateOut(), Created<V1DaemonSet>("apps", """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: kube-system}
        spec:
          selector: {matchLabels: {app: web}}
        """ + "\n" + TemplateIn));

    [Fact]
    public void DaemonSetTemplateGenerationCountsTemplateChangesOnly()
    {
        const string yaml = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: kube-system}
            spec:
              selector: {matchLabels: {app: web}}
            """ + "\n" + TemplateIn;
        var old = Created<V1DaemonSet>("apps", yaml);
        var strategy = Coxswain.Api.Resources.ResourceStrategies.For("apps", "DaemonSet");
        string After(Action<V1DaemonSet> edit)
        {
            var obj = Coxswain.Api.Validation.ObjectJson.Clone(old);
            edit(obj);
            strategy.Default(obj);
            ((Coxswain.Api.Resources.Strategies.IPrepareForUpdate)strategy).PrepareForUpdate(obj, old);
            return obj.Metadata.Annotations["deprecated.daemonset.template.generation"];
        }

        Assert.Equal("1", After(_ => { }));
        Assert.Equal("1", After(ds => ds.Spec.MinReadySeconds = 5));
        Assert.Equal("1", After(ds => ds.Metadata.Annotations["deprecated.daemonset.template.generation"] = "7"));
        Assert.Equal("2", After(ds => ds.Spec.Template.Spec.Containers[0].Image = "nginx:1.28"));
    }

    [Fact]
    public void DeploymentWithRecreateHasNoRollingUpdate()
    {
        var d = Created<V1Deployment>("apps", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              strategy: {type: Recreate}
              selector: {matchLabels: {app: web}}
            """ + "\n" + TemplateIn);
        Assert.Null(d.Spec.Strategy.RollingUpdate);
        Assert.Equal("Recreate", d.Spec.Strategy.Type);
    }

    [Fact]
    public void JobWithGeneratedSelector() => AssertJson("""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: pi
          namespace: default
          uid: 7c3e5a3e-1111-4222-8333-944455556666
          labels: {app: web}
        spec:
          backoffLimit: 6
          completionMode: NonIndexed
          completions: 1
          manualSelector: false
          parallelism: 1
          podReplacementPolicy: TerminatingOrFailed
          suspend: false
          selector:
            matchLabels: {batch.kubernetes.io/controller-uid: 7c3e5a3e-1111-4222-8333-944455556666}
          template:
            metadata:
              labels:
                app: web
                batch.kubernetes.io/controller-uid: 7c3e5a3e-1111-4222-8333-944455556666
                batch.kubernetes.io/job-name: pi
                controller-uid: 7c3e5a3e-1111-4222-8333-944455556666
                job-name: pi
            spec:
              containers:
              - {name: app, image: "nginx:1.27", imagePullPolicy: IfNotPresent, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File}
              dnsPolicy: ClusterFirst
              restartPolicy: Never
              schedulerName: default-scheduler
              securityContext: {}
              terminationGracePeriodSeconds: 30
        """, Created<V1Job>("batch", """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: pi, namespace: default}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec:
              restartPolicy: Never
              containers: [{name: app, image: "nginx:1.27"}]
        """, uid: "7c3e5a3e-1111-4222-8333-944455556666"));

    [Theory]
    [InlineData("completions: 5", 5, 1)]
    [InlineData("parallelism: 3", null, 3)]
    [InlineData("completions: 4\n  parallelism: 2", 4, 2)]
    public void JobCompletionsAndParallelism(string spec, int? completions, int parallelism)
    {
        var job = Created<V1Job>("batch", $$$"""
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j, namespace: default}
            spec:
              {{{spec}}}
              template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36}]}}
            """);
        Assert.Equal(completions, job.Spec.Completions);
        Assert.Equal(parallelism, job.Spec.Parallelism);
    }

    [Fact]
    public void JobPodFailurePolicyDefaults()
    {
        var job = Created<V1Job>("batch", """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j, namespace: default}
            spec:
              backoffLimitPerIndex: 1
              completionMode: Indexed
              completions: 3
              podFailurePolicy:
                rules:
                - action: Ignore
                  onPodConditions: [{type: DisruptionTarget}]
              template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36}]}}
            """);
        Assert.Equal(int.MaxValue, job.Spec.BackoffLimit);
        Assert.Equal("Failed", job.Spec.PodReplacementPolicy);
        Assert.Equal("True", job.Spec.PodFailurePolicy.Rules[0].OnPodConditions[0].Status);
    }

    [Fact]
    public void CronJob() => AssertJson("""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: hello, namespace: default}
        spec:
          schedule: "*/5 * * * *"
          concurrencyPolicy: Allow
          suspend: false
          successfulJobsHistoryLimit: 3
          failedJobsHistoryLimit: 1
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - {name: app, image: "nginx:1.27", imagePullPolicy: IfNotPresent, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File}
                  dnsPolicy: ClusterFirst
                  restartPolicy: OnFailure
                  schedulerName: default-scheduler
                  securityContext: {}
                  terminationGracePeriodSeconds: 30
        """, Created<V1CronJob>("batch", """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: hello, namespace: default}
        spec:
          schedule: "*/5 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: app, image: "nginx:1.27"}]
        """));
}
