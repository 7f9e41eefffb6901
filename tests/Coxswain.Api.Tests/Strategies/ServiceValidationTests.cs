using Coxswain.Api.Resources.Strategies;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class ServiceValidationTests
{
    private static string Service(string spec) => $$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
        {{{spec}}}
        """;

    public static TheoryData<string, string[]> Cases => new()
    {
        { "  selector: {app: web}\n  ports: [{port: 80}]", [] },
        { "  selector: {app: web}", ["spec.ports: Required value"] },
        { "  clusterIP: None", [] },
        {
            "  ports: [{port: 80}, {port: 81}]",
            ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]
        },
        {
            "  ports: [{name: a, port: 80}, {name: a, port: 81}]",
            ["spec.ports[1].name: Duplicate value: \"a\""]
        },
        {
            "  ports: [{name: a, port: 80}, {name: b, port: 80}]",
            ["spec.ports[1]: Duplicate value: {\"port\":80,\"protocol\":\"TCP\"}"]
        },
        {
            "  ports: [{port: 0, targetPort: 99999}]",
            [
                "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[0].targetPort: Invalid value: 99999: must be between 1 and 65535, inclusive",
            ]
        },
        {
            "  ports: [{port: 80, protocol: HTTP}]",
            ["spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""]
        },
        {
            "  type: Foo\n  ports: [{port: 80}]",
            ["spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""]
        },
        {
            "  ports: [{port: 80, nodePort: 30080}]",
            ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]
        },
        {
            "  type: NodePort\n  ports: [{port: 80, nodePort: 80}]",
            ["spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"]
        },
        {
            "  type: NodePort\n  clusterIP: None\n  selector: {app: web}\n  ports: [{port: 80}]",
            ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]
        },
        { "  type: ExternalName", ["spec.externalName: Required value"] },
        {
            "  type: ExternalName\n  externalName: Bad_Host",
            ["spec.externalName: Invalid value: \"Bad_Host\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        },
        {
            "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n  ports: [{port: 80}]",
            ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400"]
        },
        {
            "  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.11]\n  ports: [{port: 80}]",
            ["spec.clusterIPs: Invalid value: [\"10.96.0.11\"]: first value must match `clusterIP`"]
        },
        {
            "  clusterIP: 10.96.0.300\n  ports: [{port: 80}]",
            ["spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
        },
        {
            "  externalTrafficPolicy: Local\n  ports: [{port: 80}]",
            ["spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services"]
        },
        {
            "  loadBalancerSourceRanges: [10.0.0.0/8]\n  ports: [{port: 80}]",
            ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"]
        },
        {
            "  type: LoadBalancer\n  ports: [{port: 10250}]",
            ["spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet"]
        },
        {
            "  externalIPs: [127.0.0.1]\n  ports: [{port: 80}]",
            ["spec.externalIPs[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Create(string spec, string[] expected) => SameErrors(expected, CreateErrors<V1Service>("", Service(spec)));

    [Fact]
    public void NodePortRangeComesFromTheOptions()
    {
        var strategy = new ServiceStrategy(new ServiceOptions(NodePortMin: 80, NodePortMax: 100));
        var svc = From<V1Service>(Service("  type: NodePort\n  ports: [{port: 80, nodePort: 90}]"));
        strategy.Default(svc);
        Assert.Empty(strategy.ValidateCreate(svc));
    }

    private const string Allocated = "  type: NodePort\n  clusterIP: 10.96.0.10\n  ports: [{name: http, port: 80, nodePort: 30080}]";

    [Fact]
    public void ReplaceWithoutAllocatedValuesKeepsThem()
    {
        var old = Created<V1Service>("", Service(Allocated));
        var replacement = From<V1Service>(Service("  type: NodePort\n  ports: [{name: http, port: 80}]"));
        var strategy = new ServiceStrategy();
        strategy.Default(replacement);
        strategy.PrepareForUpdate(replacement, old);
        Assert.Empty(strategy.ValidateUpdate(replacement, old));
        Assert.Equal("10.96.0.10", replacement.Spec.ClusterIP);
        Assert.Equal(["10.96.0.10"], replacement.Spec.ClusterIPs);
        Assert.Equal(30080, replacement.Spec.Ports[0].NodePort);
    }

    [Fact]
    public void ClusterIPMayNotChange() => SameErrors(
        ["spec.clusterIPs[0]: Invalid value: [\"10.96.0.11\"]: may not change once set"],
        UpdateErrors<V1Service>("", Service(Allocated), Service(Allocated.Replace("10.96.0.10", "10.96.0.11"))));

    [Fact]
    public void SwitchingToExternalNameDropsAllocatedFields()
    {
        var errors = EditErrors<V1Service>("", Service(Allocated), s =>
        {
            s.Spec.Type = "ExternalName";
            s.Spec.ExternalName = "db.example.com";
        });
        Assert.Empty(errors);
    }
}
