using Coxswain.Api.Resources.Strategies;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class PodDefaultsTests
{
    private const string Tolerations = """
          tolerations:
          - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
          - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
        """;

    [Fact]
    public void PodGetsUpstreamDefaults()
    {
        var pod = Created<V1Pod>("", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default}
            spec:
              containers:
              - name: app
                image: nginx
                ports:
                - containerPort: 80
                env:
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                resources:
                  limits: {cpu: 500m, memory: 128Mi}
                livenessProbe:
                  httpGet: {port: 80}
                lifecycle:
                  preStop:
                    httpGet: {port: 8080, path: /quit}
              volumes:
              - name: cfg
                configMap: {name: cfg}
              - name: secret
                secret: {secretName: s}
              - name: host
                hostPath: {path: /var/log}
              - name: scratch
            """);
        AssertJson("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default}
            spec:
              containers:
              - name: app
                image: nginx
                imagePullPolicy: Always
                ports:
                - {containerPort: 80, protocol: TCP}
                env:
                - name: POD_NAME
                  valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
                resources:
                  limits: {cpu: 500m, memory: 128Mi}
                  requests: {cpu: 500m, memory: 128Mi}
                livenessProbe:
                  httpGet: {port: 80, path: /, scheme: HTTP}
                  timeoutSeconds: 1
                  periodSeconds: 10
                  successThreshold: 1
                  failureThreshold: 3
                lifecycle:
                  preStop:
                    httpGet: {port: 8080, path: /quit, scheme: HTTP}
                terminationMessagePath: /dev/termination-log
                terminationMessagePolicy: File
              dnsPolicy: ClusterFirst
              enableServiceLinks: true
              preemptionPolicy: PreemptLowerPriority
              priority: 0
              restartPolicy: Always
              schedulerName: default-scheduler
              securityContext: {}
              serviceAccount: default
              serviceAccountName: default
              terminationGracePeriodSeconds: 30
            """ + "\n" + Tolerations + "\n" + """
              volumes:
              - name: cfg
                configMap: {name: cfg, defaultMode: 420}
              - name: secret
                secret: {secretName: s, defaultMode: 420}
              - name: host
                hostPath: {path: /var/log, type: ""}
              - name: scratch
                emptyDir: {}
            status:
              phase: Pending
              qosClass: Guaranteed
            """, pod);
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("registry.example.com:5000/team/app", "Always")]
    [InlineData("registry.example.com:5000/team/app:v2", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [InlineData("nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Always")]
    [InlineData("Nginx", "IfNotPresent")]
    public void ImagePullPolicyFollowsTheTag(string image, string policy) => Assert.Equal(policy, PodDefaults.PullPolicyFor(image));

    [Fact]
    public void DeprecatedServiceAccountFillsTheName()
    {
        var pod = Created<V1Pod>("", """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              serviceAccount: builder
              containers: [{name: c, image: busybox:1.36}]
            """);
        Assert.Equal("builder", pod.Spec.ServiceAccountName);
        Assert.Equal("builder", pod.Spec.ServiceAccount);
    }

    [Fact]
    public void ExistingTolerationsAreKept()
    {
        var pod = Created<V1Pod>("", """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              containers: [{name: c, image: busybox:1.36}]
              tolerations:
              - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
            """);
        Assert.Equal(["node.kubernetes.io/not-ready:60", "node.kubernetes.io/unreachable:300"],
            pod.Spec.Tolerations.Select(t => $"{t.Key}:{t.TolerationSeconds}"));

        var tolerateAll = Created<V1Pod>("", """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              containers: [{name: c, image: busybox:1.36}]
              tolerations: [{operator: Exists}]
            """);
        Assert.Single(tolerateAll.Spec.Tolerations);
    }

    [Fact]
    public void HostNetworkPodsGetHostPorts()
    {
        var pod = Created<V1Pod>("", """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              hostNetwork: true
              containers: [{name: c, image: busybox:1.36, ports: [{containerPort: 9100}]}]
            """);
        Assert.Equal(9100, pod.Spec.Containers[0].Ports[0].HostPort);
    }

    [Theory]
    [InlineData("{}", "BestEffort")]
    [InlineData("{requests: {cpu: 100m}}", "Burstable")]
    [InlineData("{limits: {cpu: 100m, memory: 64Mi}}", "Guaranteed")]
    [InlineData("{limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 50m}}", "Burstable")]
    public void QosClass(string resources, string qos)
    {
        var pod = Created<V1Pod>("", $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              containers: [{name: c, image: busybox:1.36, resources: {{resources}}}]
            """);
        Assert.Equal(qos, pod.Status.QosClass);
    }

    [Fact]
    public void QuantitiesAreRoundedUpToMilli()
    {
        var pod = Created<V1Pod>("", """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              containers: [{name: c, image: busybox:1.36, resources: {requests: {cpu: "0.0001"}}}]
            """);
        Assert.Equal("1m", pod.Spec.Containers[0].Resources.Requests["cpu"].ToString());
    }

    [Fact]
    public void TemplatesGetPodSpecDefaultsButNotPodOnlyOnes()
    {
        var deployment = Created<V1Deployment>("apps", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: app, image: "nginx:1.27", resources: {limits: {cpu: "1"}}}]
            """);
        AssertJson("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 1
              revisionHistoryLimit: 10
              progressDeadlineSeconds: 600
              selector: {matchLabels: {app: web}}
              strategy:
                type: RollingUpdate
                rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - name: app
                    image: nginx:1.27
                    imagePullPolicy: IfNotPresent
                    resources: {limits: {cpu: "1"}}
                    terminationMessagePath: /dev/termination-log
                    terminationMessagePolicy: File
                  dnsPolicy: ClusterFirst
                  restartPolicy: Always
                  schedulerName: default-scheduler
                  securityContext: {}
                  terminationGracePeriodSeconds: 30
            """, deployment);
    }
}
