namespace Coxswain.Api.OpenApi;

/// <summary>
/// Fields upstream marks required (no omitempty, no +optional) whose client model type is a
/// reference type, so reflection cannot tell (required value-typed fields are non-nullable in the
/// models and are found by <see cref="Schema.PropertySchema.Required"/>). Best effort: the kinds
/// Coxswain serves and the types they use most.
/// </summary>
internal static class RequiredFields
{
    private static readonly Dictionary<string, string[]> ByModel = new(StringComparer.Ordinal)
    {
        // core/v1
        ["V1Container"] = ["name"],
        ["V1EphemeralContainer"] = ["name"],
        ["V1PodSpec"] = ["containers"],
        ["V1EnvVar"] = ["name"],
        ["V1Volume"] = ["name"],
        ["V1VolumeMount"] = ["name", "mountPath"],
        ["V1VolumeDevice"] = ["name", "devicePath"],
        ["V1KeyToPath"] = ["key", "path"],
        ["V1ConfigMapKeySelector"] = ["key"],
        ["V1SecretKeySelector"] = ["key"],
        ["V1ObjectFieldSelector"] = ["fieldPath"],
        ["V1ResourceFieldSelector"] = ["resource"],
        ["V1HTTPHeader"] = ["name", "value"],
        ["V1HTTPGetAction"] = ["port"],
        ["V1TCPSocketAction"] = ["port"],
        ["V1Sysctl"] = ["name", "value"],
        ["V1PodReadinessGate"] = ["conditionType"],
        ["V1PodSchedulingGate"] = ["name"],
        ["V1PodResourceClaim"] = ["name"],
        ["Corev1ResourceClaim"] = ["name"],
        ["V1HostAlias"] = ["ip"],
        ["V1SeccompProfile"] = ["type"],
        ["V1AppArmorProfile"] = ["type"],
        ["V1HostPathVolumeSource"] = ["path"],
        ["V1PersistentVolumeClaimVolumeSource"] = ["claimName"],
        ["V1NFSVolumeSource"] = ["server", "path"],
        ["V1CSIVolumeSource"] = ["driver"],
        ["V1DownwardAPIVolumeFile"] = ["path"],
        ["V1ServiceAccountTokenProjection"] = ["path"],
        ["V1NodeSelector"] = ["nodeSelectorTerms"],
        ["V1NodeSelectorRequirement"] = ["key", "operator"],
        ["V1PreferredSchedulingTerm"] = ["weight", "preference"],
        ["V1WeightedPodAffinityTerm"] = ["weight", "podAffinityTerm"],
        ["V1PodAffinityTerm"] = ["topologyKey"],
        ["V1TopologySpreadConstraint"] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        ["V1PodCondition"] = ["type", "status"],
        ["V1ContainerStatus"] = ["name", "ready", "restartCount", "image", "imageID"],
        ["V1ContainerResizePolicy"] = ["resourceName", "restartPolicy"],
        ["V1PortStatus"] = ["port", "protocol"],
        ["V1ServicePort"] = ["port"],
        ["V1EndpointAddress"] = ["ip"],
        ["Corev1EndpointPort"] = ["port"],
        ["V1Binding"] = ["target"],
        ["V1LimitRangeSpec"] = ["limits"],
        ["V1LimitRangeItem"] = ["type"],
        ["V1ScopedResourceSelectorRequirement"] = ["scopeName", "operator"],
        ["V1NamespaceCondition"] = ["type", "status"],
        ["V1NodeAddress"] = ["type", "address"],
        ["V1NodeCondition"] = ["type", "status"],
        ["V1Taint"] = ["key", "effect"],
        ["V1AttachedVolume"] = ["name", "devicePath"],
        ["V1NodeSystemInfo"] =
        [
            "machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion",
            "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture",
        ],
        ["V1PersistentVolumeClaimCondition"] = ["type", "status"],
        ["V1TypedLocalObjectReference"] = ["kind", "name"],
        ["V1TypedObjectReference"] = ["kind", "name"],
        ["Corev1Event"] = ["metadata", "involvedObject"],

        // meta/v1
        ["V1LabelSelectorRequirement"] = ["key", "operator"],
        ["V1OwnerReference"] = ["apiVersion", "kind", "name", "uid"],
        ["V1Condition"] = ["type", "status", "lastTransitionTime", "reason", "message"],
        ["V1APIResource"] = ["name", "singularName", "namespaced", "kind", "verbs"],
        ["V1APIResourceList"] = ["groupVersion", "resources"],
        ["V1APIGroup"] = ["name", "versions"],
        ["V1APIGroupList"] = ["groups"],
        ["V1APIVersions"] = ["versions", "serverAddressByClientCIDRs"],
        ["V1GroupVersionForDiscovery"] = ["groupVersion", "version"],
        ["V1ServerAddressByClientCIDR"] = ["clientCIDR", "serverAddress"],
        ["V1WatchEvent"] = ["type", "object"],

        // apps/v1
        ["V1DeploymentSpec"] = ["selector", "template"],
        ["V1DeploymentCondition"] = ["type", "status"],
        ["V1ReplicaSetSpec"] = ["selector"],
        ["V1ReplicaSetCondition"] = ["type", "status"],
        ["V1StatefulSetSpec"] = ["selector", "template"],
        ["V1StatefulSetCondition"] = ["type", "status"],
        ["V1DaemonSetSpec"] = ["selector", "template"],
        ["V1DaemonSetCondition"] = ["type", "status"],

        // batch/v1
        ["V1JobSpec"] = ["template"],
        ["V1JobCondition"] = ["type", "status"],
        ["V1CronJobSpec"] = ["schedule", "jobTemplate"],
        ["V1PodFailurePolicy"] = ["rules"],
        ["V1PodFailurePolicyRule"] = ["action"],
        ["V1PodFailurePolicyOnExitCodesRequirement"] = ["operator", "values"],
        ["V1PodFailurePolicyOnPodConditionsPattern"] = ["type"],
        ["V1SuccessPolicy"] = ["rules"],

        // autoscaling
        ["V1HorizontalPodAutoscalerSpec"] = ["scaleTargetRef", "maxReplicas"],
        ["V1CrossVersionObjectReference"] = ["kind", "name"],
        ["V2HorizontalPodAutoscalerSpec"] = ["scaleTargetRef", "maxReplicas"],
        ["V2CrossVersionObjectReference"] = ["kind", "name"],
        ["V2MetricSpec"] = ["type"],
        ["V2MetricTarget"] = ["type"],
        ["V2MetricIdentifier"] = ["name"],
        ["V2ResourceMetricSource"] = ["name", "target"],
        ["V2ContainerResourceMetricSource"] = ["name", "target", "container"],
        ["V2PodsMetricSource"] = ["metric", "target"],
        ["V2ObjectMetricSource"] = ["describedObject", "target", "metric"],
        ["V2ExternalMetricSource"] = ["metric", "target"],
        ["V2HorizontalPodAutoscalerCondition"] = ["type", "status"],
        ["V2HPAScalingPolicy"] = ["type", "value", "periodSeconds"],

        // others
        ["V1StorageClass"] = ["provisioner"],
        ["V1EndpointSlice"] = ["addressType", "endpoints"],
        ["V1Endpoint"] = ["addresses"],
        ["V1PolicyRule"] = ["verbs"],
        ["V1RoleRef"] = ["apiGroup", "kind", "name"],
        ["Rbacv1Subject"] = ["kind", "name"],
        ["V1RoleBinding"] = ["roleRef"],
        ["V1ClusterRoleBinding"] = ["roleRef"],
        ["Eventsv1Event"] = ["eventTime"],
        ["Eventsv1EventSeries"] = ["count", "lastObservedTime"],
    };

    /// <summary>Whether upstream lists <paramref name="jsonName"/> in the required fields of the model.</summary>
    public static bool Contains(string? modelName, string jsonName) =>
        modelName != null && ByModel.TryGetValue(modelName, out var names) && Array.IndexOf(names, jsonName) >= 0;
}
