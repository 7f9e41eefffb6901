using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class WorkloadValidationTests
{
    private const string Uid = "0b6e1f3c-aaaa-4bbb-8ccc-0123456789ab";

    private static string Deployment(string spec) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
        {{{spec}}}
        """;

    private const string Template = """
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: app, image: "nginx:1.27"}]}
        """;

    public static TheoryData<string, string[]> DeploymentCases => new()
    {
        {
            Template,
            [
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`",
            ]
        },
        {
            "  selector: {matchLabels: {app: other}}\n" + Template,
            ["spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"]
        },
        {
            "  selector: {}\n" + Template,
            ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]
        },
        {
            "  replicas: -1\n  selector: {matchLabels: {app: web}}\n" + Template,
            ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]
        },
        {
            "  selector: {matchLabels: {app: web}}\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n" + Template,
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]
        },
        {
            "  selector: {matchLabels: {app: web}}\n  strategy: {rollingUpdate: {maxUnavailable: 110%}}\n" + Template,
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"110%\": must not be greater than 100%"]
        },
        {
            "  selector: {matchLabels: {app: web}}\n  strategy: {rollingUpdate: {maxSurge: 1x}}\n" + Template,
            ["spec.strategy.rollingUpdate.maxSurge: Invalid value: \"1x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]
        },
        {
            "  selector: {matchLabels: {app: web}}\n  strategy: {type: Blue}\n" + Template,
            ["spec.strategy: Unsupported value: {\"type\":\"Blue\"}: supported values: \"Recreate\", \"RollingUpdate\""]
        },
        {
            "  selector: {matchLabels: {app: web}}\n  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}\n" + Template,
            ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]
        },
        {
            "  selector: {matchLabels: {app: web}}\n  minReadySeconds: 600\n" + Template,
            ["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"]
        },
        {
            "  selector: {matchLabels: {app: web}}\n" + Template.Replace("spec: {containers", "spec: {restartPolicy: OnFailure, containers"),
            ["spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""]
        },
        {
            "  selector: {matchLabels: {app: web}}\n" + Template.Replace("[{name: app, image: \"nginx:1.27\"}]", "[]"),
            ["spec.template.spec.containers: Required value"]
        },
    };

    [Theory]
    [MemberData(nameof(DeploymentCases))]
    public void DeploymentCreate(string spec, string[] expected) => SameErrors(expected, CreateErrors<V1Deployment>("apps", Deployment(spec)));

    [Fact]
    public void DeploymentSelectorIsImmutable() => SameErrors(
        ["spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"tier\":\"fe\"}}: field is immutable"],
        UpdateErrors<V1Deployment>("apps",
            Deployment("  selector: {matchLabels: {app: web}}\n" + Template),
            Deployment("  selector: {matchLabels: {app: web, tier: fe}}\n" + Template.Replace("{app: web}", "{app: web, tier: fe}"))));

    [Fact]
    public void ReplicaSetSharesTheDeploymentWording() => SameErrors(
        ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
        CreateErrors<V1ReplicaSet>("apps", "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs, namespace: default}\nspec:\n  selector: {}\n" + Template));

    private static string StatefulSet(string extra) => $$$"""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: default}
        spec:
          serviceName: db
          selector: {matchLabels: {app: web}}
        {{{extra}}}
        """;

    [Fact]
    public void StatefulSetRules() => SameErrors(
        [
            "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'",
            "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
            "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\"",
        ],
        CreateErrors<V1StatefulSet>("apps", StatefulSet(
            "  podManagementPolicy: Sometimes\n  updateStrategy: {rollingUpdate: {partition: -1}}\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Keep}\n" + Template)));

    [Fact]
    public void StatefulSetNamesAreDnsLabels() => SameErrors(
        ["metadata.name: Invalid value: \"db.v1\": must not contain dots"],
        CreateErrors<V1StatefulSet>("apps", StatefulSet(Template).Replace("name: db,", "name: db.v1,")));

    [Fact]
    public void StatefulSetSpecIsMostlyImmutable()
    {
        Assert.Empty(UpdateErrors<V1StatefulSet>("apps", StatefulSet(Template), StatefulSet("  replicas: 3\n  minReadySeconds: 5\n" + Template.Replace("1.27", "1.28"))));
        SameErrors(
            ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"],
            UpdateErrors<V1StatefulSet>("apps", StatefulSet(Template), StatefulSet(Template).Replace("serviceName: db", "serviceName: db2")));
    }

    [Fact]
    public void DaemonSetRollingUpdateNeedsExactlyOneNonZero()
    {
        var ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: default}\nspec:\n  selector: {matchLabels: {app: web}}\n  updateStrategy: {rollingUpdate: {maxSurge: SURGE, maxUnavailable: UNAVAILABLE}}\n" + Template;
        SameErrors(["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"],
            CreateErrors<V1DaemonSet>("apps", ds.Replace("SURGE", "1").Replace("UNAVAILABLE", "1")));
        SameErrors(["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"],
            CreateErrors<V1DaemonSet>("apps", ds.Replace("SURGE", "0").Replace("UNAVAILABLE", "0")));
        Assert.Empty(CreateErrors<V1DaemonSet>("apps", ds.Replace("SURGE", "\"10%\"").Replace("UNAVAILABLE", "0")));
    }

    private static string Job(string spec) => $$$"""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: pi, namespace: default}
        spec:
        {{{spec}}}
        """;

    private const string JobTemplate = """
          template:
            spec: {restartPolicy: Never, containers: [{name: c, image: "perl:5.34"}]}
        """;

    public static TheoryData<string, string[]> JobCases => new()
    {
        { JobTemplate, [] },
        {
            JobTemplate.Replace("restartPolicy: Never, ", ""),
            ["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""]
        },
        {
            "  completions: -1\n  backoffLimit: -2\n" + JobTemplate,
            [
                "spec.completions: Invalid value: -1: must be greater than or equal to 0",
                "spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0",
            ]
        },
        {
            "  completionMode: Indexed\n  parallelism: 2\n" + JobTemplate,
            ["spec.completions: Required value: when completion mode is Indexed"]
        },
        {
            "  completionMode: Sometimes\n" + JobTemplate,
            ["spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\""]
        },
        {
            "  manualSelector: true\n  selector: {matchLabels: {app: other}}\n" + JobTemplate.Replace("spec: {restartPolicy", "metadata: {labels: {app: pi}}\n    spec: {restartPolicy"),
            ["spec.template.metadata.labels: Invalid value: {\"app\":\"pi\"}: `selector` does not match template `labels`"]
        },
        {
            "  podFailurePolicy: {rules: [{action: Ignore, onExitCodes: {operator: In, values: [1]}}]}\n" + JobTemplate.Replace("Never", "OnFailure"),
            ["spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified"]
        },
    };

    [Theory]
    [MemberData(nameof(JobCases))]
    public void JobCreate(string spec, string[] expected) => SameErrors(expected, CreateErrors<V1Job>("batch", Job(spec), Uid));

    [Fact]
    public void IndexedJobNamesMustLeaveRoomForTheIndex()
    {
        var name = new string('a', 62);
        SameErrors(
            [$"metadata.name: Invalid value: \"{name}\": will not able to create pod with invalid DNS label: {name}-9"],
            CreateErrors<V1Job>("batch", Job("  completionMode: Indexed\n  completions: 10\n" + JobTemplate).Replace("name: pi", "name: " + name), Uid));
    }

    [Fact]
    public void GeneratedSelectorMustMatchTheUid()
    {
        var errors = CreateErrors<V1Job>("batch", Job(
            "  selector: {matchLabels: {batch.kubernetes.io/controller-uid: wrong}}\n" + JobTemplate), Uid);
        Assert.Contains("spec.selector: Invalid value: {\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"wrong\"}}: `selector` not auto-generated", errors);
    }

    [Fact]
    public void JobTemplateAndSelectorAreImmutable()
    {
        var errors = EditErrors<V1Job>("batch", Job(JobTemplate), j => j.Spec.Template.Spec.Containers[0].Image = "perl:5.36", Uid);
        Assert.Single(errors);
        Assert.StartsWith("spec.template: Invalid value: {\"metadata\":{\"labels\":{", errors[0]);
        Assert.EndsWith("}: field is immutable", errors[0]);
    }

    [Fact]
    public void SuspendedJobsMayChangeSchedulingDirectives()
    {
        Assert.Empty(EditErrors<V1Job>("batch", Job("  suspend: true\n" + JobTemplate),
            j => j.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" }, Uid));
        Assert.Single(EditErrors<V1Job>("batch", Job(JobTemplate),
            j => j.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" }, Uid));
        SameErrors(["spec.selector: Invalid value: {\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"" + Uid + "\",\"x\":\"y\"}}: field is immutable"],
            EditErrors<V1Job>("batch", Job(JobTemplate), j => j.Spec.Selector.MatchLabels["x"] = "y", Uid).Where(e => e.EndsWith("field is immutable", StringComparison.Ordinal)));
    }

    private static string CronJob(string spec) => $$$"""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: hello, namespace: default}
        spec:
        {{{spec}}}
          jobTemplate:
            spec:
              template:
                spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}
        """;

    public static TheoryData<string, string[]> CronJobCases => new()
    {
        { "  schedule: \"@hourly\"", [] },
        { "  schedule: \"\"", ["spec.schedule: Required value"] },
        { "  schedule: \"* * *\"", ["spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"] },
        { "  schedule: \"61 * * * *\"", ["spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"] },
        {
            "  schedule: \"TZ=UTC 0 * * * *\"",
            ["spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"]
        },
        { "  schedule: \"0 * * * *\"\n  timeZone: Mars/Olympus", ["spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"] },
        { "  schedule: \"0 * * * *\"\n  timeZone: Local", ["spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"] },
        { "  schedule: \"0 * * * *\"\n  concurrencyPolicy: Sometimes", ["spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""] },
    };

    [Theory]
    [MemberData(nameof(CronJobCases))]
    public void CronJobCreate(string spec, string[] expected) => SameErrors(expected, CreateErrors<V1CronJob>("batch", CronJob(spec)));

    [Fact]
    public void CronJobNamesAreAtMost52Characters()
    {
        var name = new string('c', 53);
        SameErrors([$"metadata.name: Invalid value: \"{name}\": must be no more than 52 characters"],
            CreateErrors<V1CronJob>("batch", CronJob("  schedule: \"@daily\"").Replace("name: hello", "name: " + name)));
    }

    [Fact]
    public void CronJobTemplateSelectorIsGenerated()
    {
        var yaml = CronJob("  schedule: \"@daily\"").Replace("      template:", "      selector: {matchLabels: {a: b}}\n      template:");
        SameErrors(
            [
                "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
                "spec.jobTemplate.spec.selector: Invalid value: {\"matchLabels\":{\"a\":\"b\"}}: `selector` will be auto-generated",
            ],
            CreateErrors<V1CronJob>("batch", yaml.Replace("restartPolicy: OnFailure, ", "")));
    }
}
