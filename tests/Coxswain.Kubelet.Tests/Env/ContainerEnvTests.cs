using Coxswain.Kubelet.Env;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Env;

public sealed class ContainerEnvTests
{
    private static readonly PodHostInfo Host = new(
        ["10.42.0.7", "fd00::7"],
        ["192.168.5.2", "fd00::2"],
        new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["ephemeral-storage"] = new("100Gi") });

    private static V1Pod Pod(string containerYaml, string extraSpec = "") => KubernetesYaml.Deserialize<V1Pod>($$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: shop
          uid: 0f5c7b1e-1111-2222-3333-444455556666
          labels: {app: web, tier: "front end"}
          annotations: {note: 'say "hi"', multi: "a\nb"}
        spec:
          nodeName: node-a
          serviceAccountName: robot
          {{extraSpec}}
          containers:
          - name: app
            image: busybox
        {{containerYaml}}
        """);

    private static async Task<Dictionary<string, string>> ResolveAsync(V1Pod pod, FakePodObjects? objects = null)
    {
        var env = await new ContainerEnv(objects ?? new FakePodObjects()).ResolveAsync(pod, pod.Spec.Containers[0], Host, CancellationToken.None);
        return env.Vars.ToDictionary(v => v.Name, v => v.Value);
    }

    [Fact]
    public async Task ValuesExpandEarlierVariablesOnlyAndKeepUnknownReferences()
    {
        var env = await ResolveAsync(Pod("""
                env:
                - {name: A, value: alpha}
                - {name: B, value: "$(A)-$(C)-$$(A)"}
                - {name: C, value: gamma}
                - {name: D, value: "$(C)"}
                - {name: E}
            """));
        Assert.Equal("alpha-$(C)-$(A)", env["B"]);
        Assert.Equal("gamma", env["D"]);
        Assert.Equal("", env["E"]);
    }

    [Theory]
    [InlineData("metadata.name", "web-1")]
    [InlineData("metadata.namespace", "shop")]
    [InlineData("metadata.uid", "0f5c7b1e-1111-2222-3333-444455556666")]
    [InlineData("metadata.labels['app']", "web")]
    [InlineData("metadata.labels['missing']", "")]
    [InlineData("metadata.annotations['note']", "say \"hi\"")]
    [InlineData("metadata.labels", "app=\"web\"\ntier=\"front end\"")]
    [InlineData("metadata.annotations", "multi=\"a\\nb\"\nnote=\"say \\\"hi\\\"\"")]
    [InlineData("spec.nodeName", "node-a")]
    [InlineData("spec.serviceAccountName", "robot")]
    [InlineData("status.hostIP", "192.168.5.2")]
    [InlineData("status.hostIPs", "192.168.5.2,fd00::2")]
    [InlineData("status.podIP", "10.42.0.7")]
    [InlineData("status.podIPs", "10.42.0.7,fd00::7")]
    public async Task FieldRefs(string fieldPath, string expected)
    {
        var env = await ResolveAsync(Pod($$$"""
                env:
                - name: V
                  valueFrom: {fieldRef: {fieldPath: "{{{fieldPath}}}"}}
            """));
        Assert.Equal(expected, env["V"]);
    }

    [Fact]
    public async Task UnsupportedFieldPathIsAConfigError()
    {
        var pod = Pod("""
                env:
                - name: V
                  valueFrom: {fieldRef: {fieldPath: metadata.generateName}}
            """);
        var e = await Assert.ThrowsAsync<ContainerConfigException>(() => ResolveAsync(pod));
        Assert.Equal("unsupported fieldPath: metadata.generateName", e.Message);
    }

    [Theory]
    [InlineData("limits.cpu", null, "1")]            // 500m rounds up to a whole CPU
    [InlineData("limits.cpu", "1m", "500")]
    [InlineData("requests.cpu", "1m", "250")]
    [InlineData("requests.cpu", "100m", "3")]       // 250m / 100m = 2.5 -> 3
    [InlineData("limits.memory", null, "67108864")]
    [InlineData("limits.memory", "1Mi", "64")]
    [InlineData("requests.memory", "1Mi", "96")]    // 100M = 95.37Mi -> 96
    [InlineData("requests.memory", "1", "100000000")]
    [InlineData("limits.ephemeral-storage", "1Gi", "2")]
    [InlineData("requests.ephemeral-storage", "1Mi", "0")]
    public async Task ResourceFieldRefsDivideAndRoundUp(string resource, string? divisor, string expected)
    {
        var divisorYaml = divisor is null ? "" : $", divisor: \"{divisor}\"";
        var env = await ResolveAsync(Pod($$$"""
                resources:
                  limits: {cpu: 500m, memory: 64Mi, ephemeral-storage: 2Gi}
                  requests: {cpu: 250m, memory: 100M}
                env:
                - name: V
                  valueFrom: {resourceFieldRef: {resource: {{{resource}}}{{{divisorYaml}}}}}
            """));
        Assert.Equal(expected, env["V"]);
    }

    [Theory]
    [InlineData("limits.cpu", "4")]
    [InlineData("limits.memory", "8589934592")]
    [InlineData("limits.ephemeral-storage", "107374182400")]
    [InlineData("requests.cpu", "0")]
    public async Task MissingLimitsAreTheNodesAllocatable(string resource, string expected)
    {
        var env = await ResolveAsync(Pod($$$"""
                env:
                - name: V
                  valueFrom: {resourceFieldRef: {resource: {{{resource}}}}}
            """));
        Assert.Equal(expected, env["V"]);
    }

    [Fact]
    public async Task ConfigMapAndSecretKeys()
    {
        var objects = new FakePodObjects()
            .ConfigMap("shop", "cfg", new() { ["mode"] = "fast" })
            .Secret("shop", "creds", new() { ["password"] = "s3cret" });
        var env = await ResolveAsync(Pod("""
                env:
                - name: MODE
                  valueFrom: {configMapKeyRef: {name: cfg, key: mode}}
                - name: PASS
                  valueFrom: {secretKeyRef: {name: creds, key: password}}
                - name: OPTIONAL_KEY
                  valueFrom: {configMapKeyRef: {name: cfg, key: nope, optional: true}}
                - name: OPTIONAL_OBJECT
                  valueFrom: {secretKeyRef: {name: absent, key: x, optional: true}}
                - name: BOTH
                  value: "$(MODE)/$(PASS)"
            """), objects);
        Assert.Equal("fast", env["MODE"]);
        Assert.Equal("s3cret", env["PASS"]);
        Assert.Equal("fast/s3cret", env["BOTH"]);
        Assert.False(env.ContainsKey("OPTIONAL_KEY"));
        Assert.False(env.ContainsKey("OPTIONAL_OBJECT"));
    }

    [Theory]
    [InlineData("configMapKeyRef: {name: nope, key: k}", "configmap \"nope\" not found")]
    [InlineData("configMapKeyRef: {name: cfg, key: k}", "couldn't find key k in ConfigMap shop/cfg")]
    [InlineData("secretKeyRef: {name: nope, key: k}", "secret \"nope\" not found")]
    [InlineData("secretKeyRef: {name: creds, key: k}", "couldn't find key k in Secret shop/creds")]
    public async Task MissingRequiredReferencesFailWithUpstreamsMessage(string reference, string message)
    {
        var objects = new FakePodObjects().ConfigMap("shop", "cfg", new() { ["other"] = "1" }).Secret("shop", "creds", new() { ["other"] = "1" });
        var pod = Pod($$"""
                env:
                - name: V
                  valueFrom: { {{reference}} }
            """);
        var e = await Assert.ThrowsAsync<ContainerConfigException>(() => ResolveAsync(pod, objects));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task EnvFromAddsPrefixedKeysSkipsInvalidNamesAndEnvWins()
    {
        var objects = new FakePodObjects()
            .ConfigMap("shop", "cfg", new() { ["HOST"] = "db", ["PORT"] = "5432", ["bad key"] = "x", ["1NUM"] = "y", ["dots.ok"] = "z" })
            .Secret("shop", "creds", new() { ["PORT"] = "6543", ["USER"] = "admin" });
        var pod = Pod("""
                envFrom:
                - configMapRef: {name: cfg}
                - prefix: S_
                  secretRef: {name: creds}
                - secretRef: {name: creds}
                - configMapRef: {name: gone, optional: true}
                env:
                - {name: HOST, value: override}
            """);
        var resolved = await new ContainerEnv(objects).ResolveAsync(pod, pod.Spec.Containers[0], Host, CancellationToken.None);
        var env = resolved.Vars.ToDictionary(v => v.Name, v => v.Value);

        Assert.Equal("override", env["HOST"]);
        Assert.Equal("6543", env["PORT"]);
        Assert.Equal("6543", env["S_PORT"]);
        Assert.Equal("admin", env["S_USER"]);
        Assert.Equal("z", env["dots.ok"]);
        Assert.False(env.ContainsKey("bad key"));
        var warning = Assert.Single(resolved.Warnings);
        Assert.Equal("InvalidEnvironmentVariableNames", warning.Reason);
        Assert.Equal("Keys [1NUM, bad key] from the EnvFrom configMap shop/cfg were skipped since they are considered invalid environment variable names.", warning.Message);
    }

    [Fact]
    public async Task RequiredEnvFromObjectMissingFails()
    {
        var pod = Pod("""
                envFrom:
                - configMapRef: {name: gone}
            """);
        var e = await Assert.ThrowsAsync<ContainerConfigException>(() => ResolveAsync(pod));
        Assert.Equal("configmap \"gone\" not found", e.Message);
    }

    [Fact]
    public async Task ServiceLinksForTheNamespaceAndTheKubernetesService()
    {
        var objects = new FakePodObjects()
            .Service("shop", "redis-primary", "10.43.0.10", new V1ServicePort { Port = 6379 }, new V1ServicePort { Name = "metrics", Port = 9121, Protocol = "TCP" })
            .Service("shop", "dns", "10.43.0.11", new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP" })
            .Service("shop", "headless", "None", new V1ServicePort { Port = 80 })
            .Service("default", "kubernetes", "10.43.0.1", new V1ServicePort { Name = "https", Port = 443 })
            .Service("default", "other", "10.43.0.99", new V1ServicePort { Port = 80 });
        var env = await ResolveAsync(Pod("""
                env:
                - {name: REDIS, value: "$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_SERVICE_PORT)"}
            """), objects);

        Assert.Equal("10.43.0.10:6379", env["REDIS"]);
        Assert.Equal("10.43.0.10", env["REDIS_PRIMARY_SERVICE_HOST"]);
        Assert.Equal("6379", env["REDIS_PRIMARY_SERVICE_PORT"]);
        Assert.Equal("9121", env["REDIS_PRIMARY_SERVICE_PORT_METRICS"]);
        Assert.Equal("tcp://10.43.0.10:6379", env["REDIS_PRIMARY_PORT"]);
        Assert.Equal("tcp://10.43.0.10:6379", env["REDIS_PRIMARY_PORT_6379_TCP"]);
        Assert.Equal("tcp", env["REDIS_PRIMARY_PORT_6379_TCP_PROTO"]);
        Assert.Equal("6379", env["REDIS_PRIMARY_PORT_6379_TCP_PORT"]);
        Assert.Equal("10.43.0.10", env["REDIS_PRIMARY_PORT_6379_TCP_ADDR"]);
        Assert.Equal("tcp://10.43.0.10:9121", env["REDIS_PRIMARY_PORT_9121_TCP"]);
        Assert.Equal("udp://10.43.0.11:53", env["DNS_PORT"]);
        Assert.Equal("udp", env["DNS_PORT_53_UDP_PROTO"]);
        Assert.Equal("10.43.0.1", env["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("443", env["KUBERNETES_SERVICE_PORT_HTTPS"]);
        Assert.Equal("tcp://10.43.0.1:443", env["KUBERNETES_PORT"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("HEADLESS_", StringComparison.Ordinal) || k.StartsWith("OTHER_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnableServiceLinksFalseKeepsOnlyTheKubernetesService()
    {
        var objects = new FakePodObjects()
            .Service("shop", "cache", "10.43.0.10", new V1ServicePort { Port = 11211 })
            .Service("default", "kubernetes", "10.43.0.1", new V1ServicePort { Name = "https", Port = 443 });
        var env = await ResolveAsync(Pod("", "enableServiceLinks: false"), objects);

        Assert.Equal("10.43.0.1", env["KUBERNETES_SERVICE_HOST"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("CACHE_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExplicitEnvOverridesAServiceVariable()
    {
        var objects = new FakePodObjects().Service("default", "kubernetes", "10.43.0.1", new V1ServicePort { Port = 443 });
        var pod = Pod("""
                env:
                - {name: KUBERNETES_SERVICE_HOST, value: mine}
            """);
        var resolved = await new ContainerEnv(objects).ResolveAsync(pod, pod.Spec.Containers[0], Host, CancellationToken.None);
        Assert.Equal("mine", Assert.Single(resolved.Vars, v => v.Name == "KUBERNETES_SERVICE_HOST").Value);
    }
}
