using System.Text;
using Coxswain.Api.Resources;
using Coxswain.Api.Resources.Strategies;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class OtherDefaultsTests
{
    [Fact]
    public void ClusterIPService() => AssertJson("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          type: ClusterIP
          selector: {app: web}
          sessionAffinity: None
          internalTrafficPolicy: Cluster
          ipFamilyPolicy: SingleStack
          ipFamilies: [IPv4]
          ports:
          - {name: http, port: 80, protocol: TCP, targetPort: 80}
          - {name: metrics, port: 9090, protocol: UDP, targetPort: web-metrics}
        """, Created<V1Service>("", """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80}
          - {name: metrics, port: 9090, protocol: UDP, targetPort: web-metrics}
        """));

    [Fact]
    public void LoadBalancerService() => AssertJson("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          type: LoadBalancer
          clusterIP: 10.96.0.10
          clusterIPs: [10.96.0.10]
          sessionAffinity: ClientIP
          sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}
          externalTrafficPolicy: Cluster
          internalTrafficPolicy: Cluster
          allocateLoadBalancerNodePorts: true
          ipFamilyPolicy: SingleStack
          ipFamilies: [IPv4]
          ports: [{port: 443, protocol: TCP, targetPort: 443}]
        """, Created<V1Service>("", """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          type: LoadBalancer
          clusterIP: 10.96.0.10
          sessionAffinity: ClientIP
          ports: [{port: 443}]
        """));

    [Fact]
    public void HeadlessServiceWithoutSelectorRequiresDualStack()
    {
        var svc = Created<V1Service>("", """
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: default}
            spec: {clusterIP: None, ports: [{port: 5432}]}
            """);
        Assert.Equal("RequireDualStack", svc.Spec.IpFamilyPolicy);
        Assert.Equal(["None"], svc.Spec.ClusterIPs);
    }

    [Fact]
    public void ExternalNameServiceHasNoIPFields() => AssertJson("""
        apiVersion: v1
        kind: Service
        metadata: {name: ext, namespace: default}
        spec: {type: ExternalName, externalName: example.com, sessionAffinity: None}
        """, Created<V1Service>("", """
        apiVersion: v1
        kind: Service
        metadata: {name: ext, namespace: default}
        spec: {type: ExternalName, externalName: example.com}
        """));

    [Fact]
    public void Namespace() => AssertJson("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team-a
          labels: {kubernetes.io/metadata.name: team-a}
        spec: {finalizers: [kubernetes]}
        status: {phase: Active}
        """, Created<V1Namespace>("", """
        apiVersion: v1
        kind: Namespace
        metadata: {name: team-a}
        """));

    [Fact]
    public void NamespaceUpdateKeepsFinalizers()
    {
        var old = Created<V1Namespace>("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}");
        var updated = From<V1Namespace>("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {x: y}}\nspec: {finalizers: []}");
        var strategy = (NamespaceStrategy)ResourceStrategies.For("", "Namespace");
        strategy.Default(updated);
        strategy.PrepareForUpdate(updated, old);
        Assert.Equal(["kubernetes"], updated.Spec.Finalizers);
    }

    [Fact]
    public void SecretStringDataFoldsIntoData()
    {
        var secret = Created<V1Secret>("", """
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: default}
            data: {a: YQ==, b: Yg==}
            stringData: {b: bee, c: sea}
            """);
        AssertJson("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: default}
            type: Opaque
            data: {a: YQ==, b: YmVl, c: c2Vh}
            """, secret);
        Assert.Equal("bee", Encoding.UTF8.GetString(secret.Data["b"]));
    }

    [Fact]
    public void PersistentVolume() => AssertJson("""
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv1}
        spec:
          accessModes: [ReadWriteOnce]
          capacity: {storage: 5Gi}
          hostPath: {path: /data, type: ""}
          persistentVolumeReclaimPolicy: Retain
          volumeMode: Filesystem
        status: {phase: Pending}
        """, WithoutTransitionTime(Created<V1PersistentVolume>("", """
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv1}
        spec:
          accessModes: [ReadWriteOnce]
          capacity: {storage: 5Gi}
          hostPath: {path: /data}
        """)));

    private static V1PersistentVolume WithoutTransitionTime(V1PersistentVolume pv)
    {
        Assert.NotNull(pv.Status.LastPhaseTransitionTime);
        pv.Status.LastPhaseTransitionTime = null;
        return pv;
    }

    [Fact]
    public void PersistentVolumeClaim() => AssertJson("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, namespace: default}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
          volumeMode: Filesystem
        status: {phase: Pending}
        """, Created<V1PersistentVolumeClaim>("", """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, namespace: default}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        """));

    [Fact]
    public void StorageClass() => AssertJson("""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: standard}
        provisioner: rancher.io/local-path
        reclaimPolicy: Delete
        volumeBindingMode: Immediate
        """, Created<V1StorageClass>("storage.k8s.io", """
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: standard}
        provisioner: rancher.io/local-path
        """));

    [Fact]
    public void HorizontalPodAutoscalerV2() => AssertJson("""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: default}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 1
          maxReplicas: 5
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
          behavior:
            scaleUp:
              stabilizationWindowSeconds: 0
              selectPolicy: Max
              policies:
              - {type: Pods, value: 4, periodSeconds: 15}
              - {type: Percent, value: 100, periodSeconds: 15}
            scaleDown:
              stabilizationWindowSeconds: 60
              selectPolicy: Max
              policies:
              - {type: Percent, value: 100, periodSeconds: 15}
        """, Created<V2HorizontalPodAutoscaler>("autoscaling", """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: default}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 5
          behavior:
            scaleDown: {stabilizationWindowSeconds: 60}
        """));

    [Fact]
    public void HorizontalPodAutoscalerV1OnlyDefaultsMinReplicas()
    {
        var hpa = Created<V1HorizontalPodAutoscaler>("autoscaling", """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: default}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 5
            """);
        Assert.Equal(1, hpa.Spec.MinReplicas);
        Assert.Null(hpa.Spec.TargetCPUUtilizationPercentage);
    }

    [Fact]
    public void EndpointSlicePorts() => AssertJson("""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-abc, namespace: default}
        addressType: IPv4
        endpoints: [{addresses: [10.244.0.5]}]
        ports: [{name: "", port: 80, protocol: TCP}]
        """, Created<V1EndpointSlice>("discovery.k8s.io", """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-abc, namespace: default}
        addressType: IPv4
        endpoints: [{addresses: [10.244.0.5]}]
        ports: [{port: 80}]
        """));

    [Fact]
    public void Endpoints() => AssertJson("""
        apiVersion: v1
        kind: Endpoints
        metadata: {name: web, namespace: default}
        subsets: [{addresses: [{ip: 10.244.0.5}], ports: [{port: 80, protocol: TCP}]}]
        """, Created<V1Endpoints>("", """
        apiVersion: v1
        kind: Endpoints
        metadata: {name: web, namespace: default}
        subsets: [{addresses: [{ip: 10.244.0.5}], ports: [{port: 80}]}]
        """));

    [Fact]
    public void RoleBinding() => AssertJson("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: read, namespace: default}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
        subjects:
        - {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
        - {kind: ServiceAccount, name: default, namespace: default}
        """, Created<V1RoleBinding>("rbac.authorization.k8s.io", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: read, namespace: default}
        roleRef: {kind: Role, name: reader}
        subjects:
        - {kind: User, name: jane}
        - {kind: ServiceAccount, name: default, namespace: default}
        """));

    [Fact]
    public void NodeAllocatableDefaultsToCapacity() => AssertJson("""
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        status:
          capacity: {cpu: "4", memory: 8Gi, pods: "110"}
          allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
        """, Created<V1Node>("", """
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        status:
          capacity: {cpu: "4", memory: 8Gi, pods: "110"}
        """));

    [Fact]
    public void LimitRangeContainerDefaults() => AssertJson("""
        apiVersion: v1
        kind: LimitRange
        metadata: {name: lr, namespace: default}
        spec:
          limits:
          - type: Container
            max: {cpu: "2"}
            min: {memory: 64Mi}
            default: {cpu: "2"}
            defaultRequest: {cpu: "2", memory: 64Mi}
        """, Created<V1LimitRange>("", """
        apiVersion: v1
        kind: LimitRange
        metadata: {name: lr, namespace: default}
        spec:
          limits:
          - type: Container
            max: {cpu: "2"}
            min: {memory: 64Mi}
        """));

    [Fact]
    public void PriorityClass() => AssertJson("""
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: high}
        value: 1000
        preemptionPolicy: PreemptLowerPriority
        """, Created<V1PriorityClass>("scheduling.k8s.io", """
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: high}
        value: 1000
        """));
}
