using Coxswain.Api.Resources.Strategies;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class CoreValidationTests
{
    [Fact]
    public void SecretKeysAndTypes()
    {
        SameErrors(
            ["data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"],
            CreateErrors<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\nstringData: {a/b: x}"));
        SameErrors(
            ["data[tls.crt]: Required value", "data[tls.key]: Required value"],
            CreateErrors<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\ntype: kubernetes.io/tls"));
        SameErrors(
            ["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
            CreateErrors<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\ntype: kubernetes.io/service-account-token"));
        Assert.Single(CreateErrors<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\ntype: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: nope}"));
    }

    [Fact]
    public void SecretSizeIsLimited()
    {
        var secret = Created<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}");
        secret.Data = new Dictionary<string, byte[]> { ["big"] = new byte[SecretStrategy.MaxSize + 1] };
        SameErrors(["data: Too long: must have at most 1048576 bytes"], Strings(new SecretStrategy().ValidateCreate(secret)));
    }

    [Fact]
    public void ImmutableSecretsAndConfigMaps()
    {
        SameErrors(
            ["data: Forbidden: field is immutable when `immutable` is set"],
            EditErrors<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\nimmutable: true\nstringData: {a: b}",
                s => s.Data["a"] = [1]));
        SameErrors(
            ["type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable", "data[username]: Required value", "data[password]: Required value"],
            EditErrors<V1Secret>("", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}", s => s.Type = "kubernetes.io/basic-auth"));
        SameErrors(
            ["immutable: Forbidden: field is immutable when `immutable` is set", "data: Forbidden: field is immutable when `immutable` is set"],
            EditErrors<V1ConfigMap>("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\nimmutable: true\ndata: {a: b}",
                c =>
                {
                    c.Immutable = false;
                    c.Data["a"] = "c";
                }));
    }

    [Fact]
    public void ConfigMapKeys()
    {
        SameErrors(
            ["data[k]: Invalid value: \"k\": duplicate of key present in binaryData"],
            CreateErrors<V1ConfigMap>("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata: {k: v}\nbinaryData: {k: dg==}"));
        var big = Created<V1ConfigMap>("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}");
        big.Data = new Dictionary<string, string> { ["k"] = new('x', SecretStrategy.MaxSize + 1) };
        SameErrors([": Too long: must have at most 1048576 bytes"], Strings(new ConfigMapStrategy().ValidateCreate(big)));
    }

    [Fact]
    public void NamespaceFinalizersAndPhase()
    {
        SameErrors(
            ["spec.finalizers: Invalid value: \"foo\": name is neither a standard finalizer name nor is it fully qualified"],
            CreateErrors<V1Namespace>("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nspec: {finalizers: [foo]}"));
        var ns = Created<V1Namespace>("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}");
        ns.Status.Phase = "Terminating";
        SameErrors(["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"], Strings(NamespaceStrategy.ValidateStatus(ns)));
    }

    [Fact]
    public void PersistentVolumeClaims()
    {
        SameErrors(
            ["spec.accessModes: Required value: at least 1 access mode is required", "spec.resources[storage]: Required value"],
            CreateErrors<V1PersistentVolumeClaim>("", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, namespace: default}\nspec: {}"));
        SameErrors(
            [
                "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
            ],
            CreateErrors<V1PersistentVolumeClaim>("", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, namespace: default}\nspec: {accessModes: [ReadWriteSometimes], resources: {requests: {storage: \"0\"}}}"));
    }

    private const string Claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, namespace: default}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}";

    [Fact]
    public void ClaimSpecIsImmutableExceptBinding()
    {
        Assert.Empty(EditErrors<V1PersistentVolumeClaim>("", Claim, c => c.Spec.VolumeName = "pv-1"));
        var errors = EditErrors<V1PersistentVolumeClaim>("", Claim, c => c.Spec.AccessModes = ["ReadWriteMany"]);
        Assert.Single(errors);
        Assert.StartsWith("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n- spec.accessModes[0]: \"ReadWriteOnce\"", errors[0]);
    }

    [Fact]
    public void BoundClaimsMayGrowButNotShrinkBelowCapacity()
    {
        Assert.Empty(EditErrors<V1PersistentVolumeClaim>("", Claim, c =>
        {
            c.Status.Phase = "Bound";
            c.Spec.Resources.Requests["storage"] = new ResourceQuantity("2Gi");
        }));
        var strategy = new PersistentVolumeClaimStrategy();
        var old = Created<V1PersistentVolumeClaim>("", Claim);
        old.Status = new V1PersistentVolumeClaimStatus { Phase = "Bound", Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } };
        var shrunk = Coxswain.Api.Validation.ObjectJson.Clone(old);
        shrunk.Spec.Resources.Requests["storage"] = new ResourceQuantity("500Mi");
        SameErrors(["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"], Strings(strategy.ValidateUpdate(shrunk, old)));
    }

    private const string Volume = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec: {accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}, hostPath: {path: /data}}";

    [Fact]
    public void PersistentVolumes()
    {
        SameErrors(
            [
                "spec.accessModes: Required value",
                "spec.capacity: Required value",
                "spec.capacity: Unsupported value: {}: supported values: \"storage\"",
                "spec: Required value: must specify a volume type",
            ],
            CreateErrors<V1PersistentVolume>("", "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec: {}"));
        var errors = EditErrors<V1PersistentVolume>("", Volume, pv => pv.Spec.HostPath.Path = "/other");
        Assert.Single(errors);
        Assert.StartsWith("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation", errors[0]);
        Assert.Empty(EditErrors<V1PersistentVolume>("", Volume, pv => pv.Spec.ClaimRef = new V1ObjectReference { Name = "c", NamespaceProperty = "default" }));
    }

    [Fact]
    public void StorageClassParametersAreImmutable() => SameErrors(
        ["parameters: Forbidden: updates to parameters are forbidden."],
        EditErrors<V1StorageClass>("storage.k8s.io", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: sc}\nprovisioner: example.com/disk\nparameters: {type: ssd}",
            sc => sc.Parameters["type"] = "hdd"));

    [Fact]
    public void NodeTaints() => SameErrors(
        [
            "metadata.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
            "metadata.taints[2]: Duplicate value: {\"effect\":\"NoSchedule\",\"key\":\"a\"}: taints must be unique by key and effect pair",
        ],
        CreateErrors<V1Node>("", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec: {taints: [{key: a, effect: Sometimes}, {key: a, effect: NoSchedule}, {key: a, effect: NoSchedule}]}"));

    [Fact]
    public void NodeProviderIdIsSetOnce() => SameErrors(
        ["spec.providerID: Forbidden: node updates may not change providerID except from \"\" to valid"],
        EditErrors<V1Node>("", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec: {providerID: kind://a}", n => n.Spec.ProviderID = "kind://b"));

    [Fact]
    public void LimitRangeBounds() => SameErrors(
        ["spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1"],
        CreateErrors<V1LimitRange>("", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: default}\nspec: {limits: [{type: Pod, min: {cpu: \"2\"}, max: {cpu: \"1\"}}]}"));

    [Fact]
    public void ResourceQuotaNamesAndScopes() => SameErrors(
        [
            "spec.hard[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
            "spec.hard[foo]: Invalid value: \"foo\": must be a standard resource for quota",
            "spec.hard[pods]: Invalid value: \"1500m\": must be an integer",
            "spec.scopes: Invalid value: [\"BestEffort\",\"NotBestEffort\"]: conflicting scopes",
        ],
        CreateErrors<V1ResourceQuota>("", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: default}\nspec: {hard: {foo: \"1\", pods: 1500m}, scopes: [BestEffort, NotBestEffort]}"));

    [Fact]
    public void EndpointsAddresses() => SameErrors(
        [
            "subsets[0].addresses[0].ip: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)",
            "subsets[0].ports[0].name: Required value",
            "subsets[0].ports[1].name: Required value",
        ],
        CreateErrors<V1Endpoints>("", "apiVersion: v1\nkind: Endpoints\nmetadata: {name: e, namespace: default}\nsubsets: [{addresses: [{ip: 0.0.0.0}], ports: [{port: 80}, {port: 81}]}]"));

    [Fact]
    public void EndpointSlices() => SameErrors(
        [
            "endpoints[0].addresses[0]: Invalid value: \"2001:db8::1\": must be a valid IPv4 address",
            "ports[1].name: Duplicate value: \"\"",
        ],
        CreateErrors<V1EndpointSlice>("discovery.k8s.io", "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e, namespace: default}\naddressType: IPv4\nendpoints: [{addresses: [\"2001:db8::1\"]}]\nports: [{port: 80}, {port: 81}]"));
}
