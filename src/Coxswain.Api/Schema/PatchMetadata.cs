namespace Coxswain.Api.Schema;

/// <summary>
/// The patch strategies, merge keys and list types that upstream keeps in Go struct tags and
/// +listType / +listMapKey / +mapType / +structType markers (shared/reference/patch-merge-keys.md),
/// applied to the reflected schemas. Rows are keyed by the KubernetesClient model name (the Go type
/// <c>PodSpec</c> of core/v1 is <c>V1PodSpec</c>, <c>HPAScalingRules</c> of autoscaling/v2 is
/// <c>V2HPAScalingRules</c>, ...) and the JSON field name.
/// </summary>
/// <remarks>
/// The models of KubernetesClient 21 are generated from an API newer than 1.32 (they carry fields
/// only found on upstream master), so rows for such fields use the newest upstream tags.
/// Strategic merge patch reads PatchStrategy and PatchMergeKey; server-side apply reads ListType,
/// ListMapKeys, MapType and the type's StructType (and falls back to the patch tags when a list has
/// no ListType, as kube-openapi does).
/// </remarks>
internal static class PatchMetadata
{
    /// <summary>
    /// One row per field: <c>Model.field  patchStrategy  mergeKey  listType  listMapKeys  mapType</c>;
    /// "-" = no tag, list map keys are joined with "+".
    /// </summary>
    private const string FieldTable = """
        # meta/v1
        V1ObjectMeta.ownerReferences                          merge              uid                map     uid                                -
        V1ObjectMeta.finalizers                               merge              -                  set     -                                  -
        V1ObjectMeta.managedFields                            -                  -                  atomic  -                                  -
        V1LabelSelector.matchExpressions                      -                  -                  atomic  -                                  -
        V1LabelSelectorRequirement.values                     -                  -                  atomic  -                                  -
        V1FieldSelectorRequirement.values                     -                  -                  atomic  -                                  -
        V1DeleteOptions.dryRun                                -                  -                  atomic  -                                  -
        V1StatusDetails.causes                                -                  -                  atomic  -                                  -
        V1APIVersions.versions                                -                  -                  atomic  -                                  -
        V1APIVersions.serverAddressByClientCIDRs              -                  -                  atomic  -                                  -
        V1APIGroupList.groups                                 -                  -                  atomic  -                                  -
        V1APIGroup.versions                                   -                  -                  atomic  -                                  -
        V1APIGroup.serverAddressByClientCIDRs                 -                  -                  atomic  -                                  -
        V1APIResourceList.resources                           -                  -                  atomic  -                                  -
        V1APIResource.shortNames                              -                  -                  atomic  -                                  -
        V1APIResource.categories                              -                  -                  atomic  -                                  -

        # core/v1 PodSpec, scheduling, security
        V1PodSpec.containers                                  merge              name               map     name                               -
        V1PodSpec.initContainers                              merge              name               map     name                               -
        V1PodSpec.ephemeralContainers                         merge              name               map     name                               -
        V1PodSpec.volumes                                     merge,retainKeys   name               map     name                               -
        V1PodSpec.imagePullSecrets                            merge              name               map     name                               -
        V1PodSpec.hostAliases                                 merge              ip                 map     ip                                 -
        V1HostAlias.hostnames                                 -                  -                  atomic  -                                  -
        V1PodSpec.tolerations                                 -                  -                  atomic  -                                  -
        V1PodSpec.topologySpreadConstraints                   merge              topologyKey        map     topologyKey+whenUnsatisfiable      -
        V1TopologySpreadConstraint.matchLabelKeys             -                  -                  atomic  -                                  -
        V1PodSpec.schedulingGates                             merge              name               map     name                               -
        V1PodSpec.resourceClaims                              merge,retainKeys   name               map     name                               -
        V1PodSpec.readinessGates                              -                  -                  atomic  -                                  -
        V1PodSpec.nodeSelector                                -                  -                  -       -                                  atomic
        V1PodSpec.evictionResponders                          merge              name               map     name                               -
        V1PodSecurityContext.supplementalGroups               -                  -                  atomic  -                                  -
        V1PodSecurityContext.sysctls                          -                  -                  atomic  -                                  -
        V1PodDNSConfig.nameservers                            -                  -                  atomic  -                                  -
        V1PodDNSConfig.searches                               -                  -                  atomic  -                                  -
        V1PodDNSConfig.options                                -                  -                  atomic  -                                  -
        V1NodeAffinity.preferredDuringSchedulingIgnoredDuringExecution  -        -                  atomic  -                                  -
        V1NodeSelector.nodeSelectorTerms                      -                  -                  atomic  -                                  -
        V1NodeSelectorTerm.matchExpressions                   -                  -                  atomic  -                                  -
        V1NodeSelectorTerm.matchFields                        -                  -                  atomic  -                                  -
        V1NodeSelectorRequirement.values                      -                  -                  atomic  -                                  -
        V1PodAffinity.requiredDuringSchedulingIgnoredDuringExecution      -      -                  atomic  -                                  -
        V1PodAffinity.preferredDuringSchedulingIgnoredDuringExecution     -      -                  atomic  -                                  -
        V1PodAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution  -      -                  atomic  -                                  -
        V1PodAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution -      -                  atomic  -                                  -
        V1PodAffinityTerm.namespaces                          -                  -                  atomic  -                                  -
        V1PodAffinityTerm.matchLabelKeys                      -                  -                  atomic  -                                  -
        V1PodAffinityTerm.mismatchLabelKeys                   -                  -                  atomic  -                                  -

        # core/v1 Container (and EphemeralContainer, which has the same fields)
        V1Container.ports                                     merge              containerPort      map     containerPort+protocol             -
        V1Container.env                                       merge              name               map     name                               -
        V1Container.volumeMounts                              merge              mountPath          map     mountPath                          -
        V1Container.volumeDevices                             merge              devicePath         map     devicePath                         -
        V1Container.command                                   -                  -                  atomic  -                                  -
        V1Container.args                                      -                  -                  atomic  -                                  -
        V1Container.envFrom                                   -                  -                  atomic  -                                  -
        V1Container.resizePolicy                              -                  -                  atomic  -                                  -
        V1Container.restartPolicyRules                        -                  -                  atomic  -                                  -
        V1EphemeralContainer.ports                            merge              containerPort      map     containerPort+protocol             -
        V1EphemeralContainer.env                              merge              name               map     name                               -
        V1EphemeralContainer.volumeMounts                     merge              mountPath          map     mountPath                          -
        V1EphemeralContainer.volumeDevices                    merge              devicePath         map     devicePath                         -
        V1EphemeralContainer.command                          -                  -                  atomic  -                                  -
        V1EphemeralContainer.args                             -                  -                  atomic  -                                  -
        V1EphemeralContainer.envFrom                          -                  -                  atomic  -                                  -
        V1EphemeralContainer.resizePolicy                     -                  -                  atomic  -                                  -
        V1EphemeralContainer.restartPolicyRules               -                  -                  atomic  -                                  -
        V1ContainerRestartRuleOnExitCodes.values              -                  -                  set     -                                  -
        V1VolumeMount.bindMountOptions                        -                  -                  set     -                                  -
        V1ResourceRequirements.claims                         -                  -                  map     name                               -
        V1Capabilities.add                                    -                  -                  atomic  -                                  -
        V1Capabilities.drop                                   -                  -                  atomic  -                                  -
        V1ExecAction.command                                  -                  -                  atomic  -                                  -
        V1HTTPGetAction.httpHeaders                           -                  -                  atomic  -                                  -

        # core/v1 PodStatus and container status
        V1PodStatus.conditions                                merge              type               map     type                               -
        V1PodStatus.podIPs                                    merge              ip                 map     ip                                 -
        V1PodStatus.hostIPs                                   merge              ip                 atomic  -                                  -
        V1PodStatus.initContainerStatuses                     -                  -                  atomic  -                                  -
        V1PodStatus.containerStatuses                         -                  -                  atomic  -                                  -
        V1PodStatus.ephemeralContainerStatuses                -                  -                  atomic  -                                  -
        V1ContainerStatus.volumeMounts                        merge              mountPath          map     mountPath                          -
        V1ContainerStatus.allocatedResourcesStatus            merge              name               map     name                               -
        V1ResourceStatus.resources                            -                  -                  map     resourceID                         -
        V1LinuxContainerUser.supplementalGroups               -                  -                  atomic  -                                  -
        V1PodStatus.resourceClaimStatuses                     merge,retainKeys   name               map     name                               -
        V1PodExtendedResourceClaimStatus.requestMappings      -                  -                  atomic  -                                  -
        V1PodStatus.nodeAllocatableResourceClaimStatuses      merge              resourceClaimName  map     resourceClaimName                  -
        V1NodeAllocatableResourceClaimStatus.containers       -                  -                  set     -                                  -
        V1NodeAllocatableResourceClaimStatus.mapping          merge              name               map     name                               -
        V1NodeAllocatableResourceClaimStatus.overhead         merge              name               map     name                               -
        V1PodStatus.volumeHealth                              -                  -                  map     name                               -
        V1PodVolumeHealth.healthConditions                    merge              status             map     status+reason                      -

        # core/v1 volumes, PersistentVolume, PersistentVolumeClaim
        V1ProjectedVolumeSource.sources                       -                  -                  atomic  -                                  -
        V1SecretVolumeSource.items                            -                  -                  atomic  -                                  -
        V1ConfigMapVolumeSource.items                         -                  -                  atomic  -                                  -
        V1DownwardAPIVolumeSource.items                       -                  -                  atomic  -                                  -
        V1SecretProjection.items                              -                  -                  atomic  -                                  -
        V1ConfigMapProjection.items                           -                  -                  atomic  -                                  -
        V1DownwardAPIProjection.items                         -                  -                  atomic  -                                  -
        V1RBDVolumeSource.monitors                            -                  -                  atomic  -                                  -
        V1RBDPersistentVolumeSource.monitors                  -                  -                  atomic  -                                  -
        V1CephFSVolumeSource.monitors                         -                  -                  atomic  -                                  -
        V1CephFSPersistentVolumeSource.monitors               -                  -                  atomic  -                                  -
        V1ISCSIVolumeSource.portals                           -                  -                  atomic  -                                  -
        V1ISCSIPersistentVolumeSource.portals                 -                  -                  atomic  -                                  -
        V1FCVolumeSource.targetWWNs                           -                  -                  atomic  -                                  -
        V1FCVolumeSource.wwids                                -                  -                  atomic  -                                  -
        V1PersistentVolumeSpec.accessModes                    -                  -                  atomic  -                                  -
        V1PersistentVolumeSpec.mountOptions                   -                  -                  atomic  -                                  -
        V1PersistentVolumeSpec.claimRef                       -                  -                  -       -                                  granular
        V1PersistentVolumeClaimSpec.accessModes               -                  -                  atomic  -                                  -
        V1PersistentVolumeClaimStatus.accessModes             -                  -                  atomic  -                                  -
        V1PersistentVolumeClaimStatus.conditions              merge              type               map     type                               -
        V1PersistentVolumeClaimStatus.allocatedResourceStatuses -                -                  -       -                                  granular
        V1VolumeHealthStatus.healthConditions                 merge              status             map     status+reason                      -

        # core/v1 Service, Endpoints, ServiceAccount
        V1ServiceSpec.ports                                   merge              port               map     port+protocol                      -
        V1ServiceSpec.selector                                -                  -                  -       -                                  atomic
        V1ServiceSpec.clusterIPs                              -                  -                  atomic  -                                  -
        V1ServiceSpec.externalIPs                             -                  -                  atomic  -                                  -
        V1ServiceSpec.loadBalancerSourceRanges                -                  -                  atomic  -                                  -
        V1ServiceSpec.ipFamilies                              -                  -                  atomic  -                                  -
        V1ServiceStatus.conditions                            merge              type               map     type                               -
        V1LoadBalancerStatus.ingress                          -                  -                  atomic  -                                  -
        V1LoadBalancerIngress.ports                           -                  -                  atomic  -                                  -
        V1Endpoints.subsets                                   -                  -                  atomic  -                                  -
        V1EndpointSubset.addresses                            -                  -                  atomic  -                                  -
        V1EndpointSubset.notReadyAddresses                    -                  -                  atomic  -                                  -
        V1EndpointSubset.ports                                -                  -                  atomic  -                                  -
        V1ServiceAccount.secrets                              merge              name               map     name                               -
        V1ServiceAccount.imagePullSecrets                     -                  -                  atomic  -                                  -

        # core/v1 Node
        V1NodeSpec.podCIDRs                                   merge              -                  set     -                                  -
        V1NodeSpec.taints                                     -                  -                  atomic  -                                  -
        V1NodePodPreemptionPolicy.disableResizePreemption     -                  -                  set     -                                  -
        V1NodeStatus.conditions                               merge              type               map     type                               -
        V1NodeStatus.addresses                                merge              type               map     type                               -
        V1NodeStatus.images                                   -                  -                  atomic  -                                  -
        V1NodeStatus.volumesInUse                             -                  -                  atomic  -                                  -
        V1NodeStatus.volumesAttached                          -                  -                  atomic  -                                  -
        V1NodeStatus.runtimeHandlers                          -                  -                  atomic  -                                  -
        V1NodeStatus.declaredFeatures                         -                  -                  atomic  -                                  -
        V1ContainerImage.names                                -                  -                  atomic  -                                  -

        # core/v1 other kinds
        V1ReplicationControllerSpec.selector                  -                  -                  -       -                                  atomic
        V1ReplicationControllerStatus.conditions              merge              type               map     type                               -
        V1NamespaceSpec.finalizers                            -                  -                  atomic  -                                  -
        V1NamespaceStatus.conditions                          merge              type               map     type                               -
        V1ComponentStatus.conditions                          merge              type               map     type                               -
        V1LimitRangeSpec.limits                               -                  -                  atomic  -                                  -
        V1ResourceQuotaSpec.scopes                            -                  -                  atomic  -                                  -
        V1ScopeSelector.matchExpressions                      -                  -                  atomic  -                                  -
        V1ScopedResourceSelectorRequirement.values            -                  -                  atomic  -                                  -
        V1TopologySelectorTerm.matchLabelExpressions          -                  -                  atomic  -                                  -
        V1TopologySelectorLabelRequirement.values             -                  -                  atomic  -                                  -

        # apps/v1
        V1DeploymentSpec.strategy                             retainKeys         -                  -       -                                  -
        V1StatefulSetSpec.volumeClaimTemplates                -                  -                  atomic  -                                  -
        V1DeploymentStatus.conditions                         merge              type               map     type                               -
        V1ReplicaSetStatus.conditions                         merge              type               map     type                               -
        V1StatefulSetStatus.conditions                        merge              type               map     type                               -
        V1DaemonSetStatus.conditions                          merge              type               map     type                               -

        # batch/v1
        V1JobStatus.conditions                                merge              type               atomic  -                                  -
        V1UncountedTerminatedPods.succeeded                   -                  -                  set     -                                  -
        V1UncountedTerminatedPods.failed                      -                  -                  set     -                                  -
        V1PodFailurePolicy.rules                              -                  -                  atomic  -                                  -
        V1PodFailurePolicyRule.onPodConditions                -                  -                  atomic  -                                  -
        V1PodFailurePolicyOnExitCodesRequirement.values       -                  -                  set     -                                  -
        V1SuccessPolicy.rules                                 -                  -                  atomic  -                                  -
        V1JobSchedulingConfiguration.resourceClaims           merge              name               map     name                               -
        V1CronJobStatus.active                                -                  -                  atomic  -                                  -

        # autoscaling/v2 (autoscaling/v1 has no list tags)
        V2HorizontalPodAutoscalerSpec.metrics                 -                  -                  atomic  -                                  -
        V2HPAScalingRules.policies                            -                  -                  atomic  -                                  -
        V2HorizontalPodAutoscalerStatus.currentMetrics        -                  -                  atomic  -                                  -
        V2HorizontalPodAutoscalerStatus.conditions            merge              type               map     type                               -

        # networking/v1
        V1NetworkPolicySpec.ingress                           -                  -                  atomic  -                                  -
        V1NetworkPolicySpec.egress                            -                  -                  atomic  -                                  -
        V1NetworkPolicySpec.policyTypes                       -                  -                  atomic  -                                  -
        V1NetworkPolicyIngressRule.ports                      -                  -                  atomic  -                                  -
        V1NetworkPolicyIngressRule.from                       -                  -                  atomic  -                                  -
        V1NetworkPolicyEgressRule.ports                       -                  -                  atomic  -                                  -
        V1NetworkPolicyEgressRule.to                          -                  -                  atomic  -                                  -
        V1IPBlock.except                                      -                  -                  atomic  -                                  -
        V1IngressSpec.tls                                     -                  -                  atomic  -                                  -
        V1IngressSpec.rules                                   -                  -                  atomic  -                                  -
        V1IngressTLS.hosts                                    -                  -                  atomic  -                                  -
        V1HTTPIngressRuleValue.paths                          -                  -                  atomic  -                                  -
        V1IngressLoadBalancerStatus.ingress                   -                  -                  atomic  -                                  -
        V1IngressLoadBalancerIngress.ports                    -                  -                  atomic  -                                  -
        V1ServiceCIDRSpec.cidrs                               -                  -                  atomic  -                                  -
        V1ServiceCIDRStatus.conditions                        merge              type               map     type                               -

        # rbac/v1
        V1Role.rules                                          -                  -                  atomic  -                                  -
        V1ClusterRole.rules                                   -                  -                  atomic  -                                  -
        V1PolicyRule.verbs                                    -                  -                  atomic  -                                  -
        V1PolicyRule.apiGroups                                -                  -                  atomic  -                                  -
        V1PolicyRule.resources                                -                  -                  atomic  -                                  -
        V1PolicyRule.resourceNames                            -                  -                  atomic  -                                  -
        V1PolicyRule.nonResourceURLs                          -                  -                  atomic  -                                  -
        V1RoleBinding.subjects                                -                  -                  atomic  -                                  -
        V1ClusterRoleBinding.subjects                         -                  -                  atomic  -                                  -
        V1AggregationRule.clusterRoleSelectors                -                  -                  atomic  -                                  -

        # policy/v1
        V1PodDisruptionBudgetSpec.selector                    replace            -                  -       -                                  -
        V1PodDisruptionBudgetStatus.conditions                merge              type               map     type                               -

        # storage/v1
        V1StorageClass.mountOptions                           -                  -                  atomic  -                                  -
        V1StorageClass.allowedTopologies                      -                  -                  atomic  -                                  -
        V1CSIDriverSpec.volumeLifecycleModes                  -                  -                  set     -                                  -
        V1CSIDriverSpec.tokenRequests                         -                  -                  atomic  -                                  -
        V1CSINodeSpec.drivers                                 merge              name               map     name                               -
        V1CSINodeDriver.topologyKeys                          -                  -                  atomic  -                                  -
        V1CSINodeStatus.storageHealth                         merge              name               map     name                               -
        V1StorageHealth.healthConditions                      -                  -                  atomic  -                                  -

        # discovery/v1
        V1EndpointSlice.endpoints                             -                  -                  atomic  -                                  -
        V1EndpointSlice.ports                                 -                  -                  atomic  -                                  -
        V1Endpoint.addresses                                  -                  -                  set     -                                  -
        V1EndpointHints.forZones                              -                  -                  atomic  -                                  -
        V1EndpointHints.forNodes                              -                  -                  atomic  -                                  -
        """;

    /// <summary>Types marked <c>+structType=atomic</c>: one value with one owner wherever they are used.</summary>
    private const string AtomicTypes = """
        V1OwnerReference V1LabelSelector
        V1EvictionResponder
        V1NodeSelector V1NodeSelectorTerm
        V1ObjectFieldSelector V1ResourceFieldSelector V1ConfigMapKeySelector V1SecretKeySelector V1FileKeySelector
        V1SecretReference
        V1EndpointAddress Corev1EndpointPort
        V1ScopeSelector V1TopologySelectorTerm
        V1ObjectReference V1LocalObjectReference V1TypedLocalObjectReference
        V1ServiceBackendPort
        Rbacv1Subject V1RoleRef
        Discoveryv1EndpointPort
        """;

    internal sealed record Row(string PatchStrategy, string? MergeKey, string? ListType, IReadOnlyList<string>? ListMapKeys, string? MapType)
    {
        public string? Strategy => PatchStrategy.Length == 0 ? null : PatchStrategy;
    }

    /// <summary>Rows by model name, then JSON field name.</summary>
    internal static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Row>> Fields { get; } = ParseFields();

    internal static IReadOnlySet<string> AtomicTypeNames { get; } =
        AtomicTypes.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Sets the metadata on the properties of one object type (and the type's own structType).
    /// Called once per type while the schema is built; does not walk into property types.
    /// </summary>
    public static void Apply(TypeSchema obj)
    {
        if (obj.ModelName == null)
        {
            return;
        }
        if (AtomicTypeNames.Contains(obj.ModelName))
        {
            obj.StructType = "atomic";
        }
        if (!Fields.TryGetValue(obj.ModelName, out var rows))
        {
            return;
        }
        foreach (var (field, row) in rows)
        {
            var prop = obj.Property(field);
            if (prop == null)
            {
                continue;
            }
            prop.PatchStrategy = row.Strategy;
            prop.PatchMergeKey = row.MergeKey;
            prop.ListType = row.ListType;
            prop.ListMapKeys = row.ListMapKeys;
            prop.MapType = row.MapType;
        }
    }

    private static Dictionary<string, IReadOnlyDictionary<string, Row>> ParseFields()
    {
        var result = new Dictionary<string, Dictionary<string, Row>>(StringComparer.Ordinal);
        foreach (var raw in FieldTable.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cols.Length != 6)
            {
                throw new InvalidOperationException($"bad patch metadata row: {line}");
            }
            var dot = cols[0].IndexOf('.');
            var model = cols[0][..dot];
            var field = cols[0][(dot + 1)..];
            static string? Opt(string s) => s == "-" ? null : s;
            var row = new Row(
                Opt(cols[1]) ?? "",
                Opt(cols[2]),
                Opt(cols[3]),
                Opt(cols[4])?.Split('+'),
                Opt(cols[5]));
            if (!result.TryGetValue(model, out var byField))
            {
                result[model] = byField = new Dictionary<string, Row>(StringComparer.Ordinal);
            }
            byField[field] = row;
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, Row>)kv.Value, StringComparer.Ordinal);
    }
}
