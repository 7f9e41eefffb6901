using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Upstream's core/v1 defaulting of pod specs (SetDefaults_PodSpec, _Container, _Probe,
/// _HTTPGetAction, _Volume and friends), applied wherever a PodSpec is embedded, plus the
/// Pod-only defaults (SetDefaults_Pod) and the mutating admission plugins whose effect every
/// real cluster shows (ServiceAccount name, Priority, DefaultTolerationSeconds).
/// </summary>
public static class PodDefaults
{
    public const long DefaultTerminationGracePeriodSeconds = 30;
    public const long DefaultTolerationSeconds = 300;
    public const int DefaultFileMode = 420; // 0644
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    /// <summary>Priorities of the built-in system priority classes.</summary>
    public static readonly IReadOnlyDictionary<string, int> SystemPriorityClasses = new Dictionary<string, int>
    {
        ["system-node-critical"] = 2000001000,
        ["system-cluster-critical"] = 2000000000,
    };

    /// <summary>Defaults of a pod template embedded in a workload (the PodSpec defaults only).</summary>
    public static void DefaultTemplate(V1PodTemplateSpec? template)
    {
        if (template == null)
        {
            return;
        }
        template.Spec ??= new V1PodSpec();
        DefaultSpec(template.Spec);
    }

    /// <summary>Defaults of any PodSpec (SetDefaults_PodSpec and everything nested in it).</summary>
    public static void DefaultSpec(V1PodSpec spec)
    {
        if (string.IsNullOrEmpty(spec.DnsPolicy))
        {
            spec.DnsPolicy = "ClusterFirst";
        }
        if (string.IsNullOrEmpty(spec.RestartPolicy))
        {
            spec.RestartPolicy = "Always";
        }
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.TerminationGracePeriodSeconds ??= DefaultTerminationGracePeriodSeconds;
        if (string.IsNullOrEmpty(spec.SchedulerName))
        {
            spec.SchedulerName = "default-scheduler";
        }

        // core/v1 conversion: the deprecated serviceAccount fills serviceAccountName, and the v1
        // output always mirrors serviceAccountName into serviceAccount.
        if (string.IsNullOrEmpty(spec.ServiceAccountName) && !string.IsNullOrEmpty(spec.ServiceAccount))
        {
            spec.ServiceAccountName = spec.ServiceAccount;
        }
        spec.ServiceAccount = string.IsNullOrEmpty(spec.ServiceAccountName) ? null : spec.ServiceAccountName;

        foreach (var c in spec.Containers ?? [])
        {
            DefaultContainer(c);
        }
        foreach (var c in spec.InitContainers ?? [])
        {
            DefaultContainer(c);
        }
        foreach (var c in spec.EphemeralContainers ?? [])
        {
            DefaultEphemeralContainer(c);
        }
        foreach (var v in spec.Volumes ?? [])
        {
            DefaultVolume(v);
        }
        Quantities.RoundUpToMilli(spec.Overhead);
    }

    /// <summary>
    /// Defaults of a Pod object: the PodSpec defaults, SetDefaults_Pod (requests from limits,
    /// enableServiceLinks, host ports under hostNetwork) and the admission defaults.
    /// </summary>
    public static void DefaultPod(V1Pod pod)
    {
        pod.Spec ??= new V1PodSpec();
        var spec = pod.Spec;
        DefaultSpec(spec);
        foreach (var c in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            RequestsFromLimits(c.Resources);
        }
        spec.EnableServiceLinks ??= true;
        if (spec.HostNetwork == true)
        {
            foreach (var c in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
            {
                foreach (var p in c.Ports ?? [])
                {
                    if (p.HostPort is null or 0)
                    {
                        p.HostPort = p.ContainerPort;
                    }
                }
            }
        }
        ApplyAdmissionDefaults(pod);
    }

    /// <summary>
    /// The effect of the mutating admission plugins every cluster runs on pods:
    /// ServiceAccount (serviceAccountName "default"), Priority (priority from the system classes,
    /// 0 with PreemptLowerPriority when no class is named) and DefaultTolerationSeconds.
    /// </summary>
    public static void ApplyAdmissionDefaults(V1Pod pod)
    {
        var spec = pod.Spec;
        var mirror = pod.Metadata?.Annotations?.ContainsKey(MirrorPodAnnotation) == true;

        // ServiceAccount admission: pods run as "default" unless they name an account. (The
        // projected kube-api-access volume it also mounts is left to the API server, which knows
        // whether the account exists.)
        if (string.IsNullOrEmpty(spec.ServiceAccountName) && !mirror)
        {
            spec.ServiceAccountName = "default";
            spec.ServiceAccount = "default";
        }

        // Priority admission: without a priorityClassName (and no globalDefault class, which only
        // the server can look up) the priority is 0 and the policy PreemptLowerPriority.
        if (spec.Priority == null)
        {
            if (string.IsNullOrEmpty(spec.PriorityClassName))
            {
                spec.Priority = 0;
                spec.PreemptionPolicy ??= "PreemptLowerPriority";
            }
            else if (SystemPriorityClasses.TryGetValue(spec.PriorityClassName, out var value))
            {
                spec.Priority = value;
                spec.PreemptionPolicy ??= "PreemptLowerPriority";
            }
        }

        // DefaultTolerationSeconds admission (plugin/pkg/admission/defaulttolerationseconds): pods
        // tolerate not-ready and unreachable nodes for 300 s unless they already tolerate them
        // (a toleration with that key or no key, and effect NoExecute or no effect).
        var tolerations = spec.Tolerations ?? [];
        bool Tolerates(string key) => tolerations.Any(t =>
            (t.Key == key || string.IsNullOrEmpty(t.Key)) && (t.Effect == "NoExecute" || string.IsNullOrEmpty(t.Effect)));
        var notReady = Tolerates(NotReadyTaint);
        var unreachable = Tolerates(UnreachableTaint);
        if (!notReady || !unreachable)
        {
            spec.Tolerations ??= new List<V1Toleration>();
            if (!notReady)
            {
                spec.Tolerations.Add(DefaultToleration(NotReadyTaint));
            }
            if (!unreachable)
            {
                spec.Tolerations.Add(DefaultToleration(UnreachableTaint));
            }
        }
    }

    private static V1Toleration DefaultToleration(string key) => new()
    {
        Key = key,
        OperatorProperty = "Exists",
        Effect = "NoExecute",
        TolerationSeconds = DefaultTolerationSeconds,
    };

    private static void RequestsFromLimits(V1ResourceRequirements? r)
    {
        if (r?.Limits == null || r.Limits.Count == 0)
        {
            return;
        }
        r.Requests ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (k, v) in r.Limits)
        {
            if (!r.Requests.ContainsKey(k))
            {
                r.Requests[k] = new ResourceQuantity(v.ToString());
            }
        }
    }

    public static void DefaultContainer(V1Container c)
    {
        if (string.IsNullOrEmpty(c.ImagePullPolicy))
        {
            c.ImagePullPolicy = PullPolicyFor(c.Image);
        }
        if (string.IsNullOrEmpty(c.TerminationMessagePath))
        {
            c.TerminationMessagePath = "/dev/termination-log";
        }
        if (string.IsNullOrEmpty(c.TerminationMessagePolicy))
        {
            c.TerminationMessagePolicy = "File";
        }
        DefaultPorts(c.Ports);
        DefaultEnv(c.Env);
        DefaultProbe(c.LivenessProbe);
        DefaultProbe(c.ReadinessProbe);
        DefaultProbe(c.StartupProbe);
        DefaultLifecycle(c.Lifecycle);
        if (c.Resources != null)
        {
            Quantities.RoundUpToMilli(c.Resources.Limits);
            Quantities.RoundUpToMilli(c.Resources.Requests);
        }
    }

    private static void DefaultEphemeralContainer(V1EphemeralContainer c)
    {
        if (string.IsNullOrEmpty(c.ImagePullPolicy))
        {
            c.ImagePullPolicy = PullPolicyFor(c.Image);
        }
        if (string.IsNullOrEmpty(c.TerminationMessagePath))
        {
            c.TerminationMessagePath = "/dev/termination-log";
        }
        if (string.IsNullOrEmpty(c.TerminationMessagePolicy))
        {
            c.TerminationMessagePolicy = "File";
        }
        DefaultPorts(c.Ports);
        DefaultEnv(c.Env);
        DefaultProbe(c.LivenessProbe);
        DefaultProbe(c.ReadinessProbe);
        DefaultProbe(c.StartupProbe);
        DefaultLifecycle(c.Lifecycle);
    }

    private static void DefaultPorts(IList<V1ContainerPort>? ports)
    {
        foreach (var p in ports ?? [])
        {
            if (string.IsNullOrEmpty(p.Protocol))
            {
                p.Protocol = "TCP";
            }
        }
    }

    private static void DefaultEnv(IList<V1EnvVar>? env)
    {
        foreach (var e in env ?? [])
        {
            DefaultFieldSelector(e.ValueFrom?.FieldRef);
        }
    }

    private static void DefaultFieldSelector(V1ObjectFieldSelector? s)
    {
        if (s != null && string.IsNullOrEmpty(s.ApiVersion))
        {
            s.ApiVersion = "v1";
        }
    }

    /// <summary>Probe defaults: timeout 1 s, period 10 s, success 1, failure 3 (each when 0 or unset).</summary>
    public static void DefaultProbe(V1Probe? p)
    {
        if (p == null)
        {
            return;
        }
        if (p.TimeoutSeconds is null or 0)
        {
            p.TimeoutSeconds = 1;
        }
        if (p.PeriodSeconds is null or 0)
        {
            p.PeriodSeconds = 10;
        }
        if (p.SuccessThreshold is null or 0)
        {
            p.SuccessThreshold = 1;
        }
        if (p.FailureThreshold is null or 0)
        {
            p.FailureThreshold = 3;
        }
        DefaultHttpGet(p.HttpGet);
    }

    private static void DefaultLifecycle(V1Lifecycle? l)
    {
        DefaultHttpGet(l?.PostStart?.HttpGet);
        DefaultHttpGet(l?.PreStop?.HttpGet);
    }

    private static void DefaultHttpGet(V1HTTPGetAction? h)
    {
        if (h == null)
        {
            return;
        }
        if (string.IsNullOrEmpty(h.Path))
        {
            h.Path = "/";
        }
        if (string.IsNullOrEmpty(h.Scheme))
        {
            h.Scheme = "HTTP";
        }
    }

    /// <summary>Volume defaults: emptyDir when no source is set, file modes 0644, token expiry, hostPath type.</summary>
    public static void DefaultVolume(V1Volume v)
    {
        if (VolumeSourceCount(v) == 0)
        {
            v.EmptyDir = new V1EmptyDirVolumeSource();
        }
        if (v.Secret != null)
        {
            v.Secret.DefaultMode ??= DefaultFileMode;
        }
        if (v.ConfigMap != null)
        {
            v.ConfigMap.DefaultMode ??= DefaultFileMode;
        }
        if (v.DownwardAPI != null)
        {
            v.DownwardAPI.DefaultMode ??= DefaultFileMode;
            foreach (var item in v.DownwardAPI.Items ?? [])
            {
                DefaultFieldSelector(item.FieldRef);
            }
        }
        if (v.Projected != null)
        {
            v.Projected.DefaultMode ??= DefaultFileMode;
            foreach (var s in v.Projected.Sources ?? [])
            {
                if (s.ServiceAccountToken != null)
                {
                    s.ServiceAccountToken.ExpirationSeconds ??= 3600;
                }
                foreach (var item in s.DownwardAPI?.Items ?? [])
                {
                    DefaultFieldSelector(item.FieldRef);
                }
            }
        }
        if (v.HostPath != null)
        {
            v.HostPath.Type ??= "";
        }
        if (v.Iscsi != null && string.IsNullOrEmpty(v.Iscsi.IscsiInterface))
        {
            v.Iscsi.IscsiInterface = "default";
        }
        if (v.Rbd != null)
        {
            v.Rbd.Pool = string.IsNullOrEmpty(v.Rbd.Pool) ? "rbd" : v.Rbd.Pool;
            v.Rbd.User = string.IsNullOrEmpty(v.Rbd.User) ? "admin" : v.Rbd.User;
            v.Rbd.Keyring = string.IsNullOrEmpty(v.Rbd.Keyring) ? "/etc/ceph/keyring" : v.Rbd.Keyring;
        }
        if (v.AzureDisk != null)
        {
            v.AzureDisk.CachingMode ??= "ReadWrite";
            v.AzureDisk.Kind ??= "Shared";
            v.AzureDisk.FsType ??= "ext4";
            v.AzureDisk.ReadOnlyProperty ??= false;
        }
        if (v.ScaleIO != null)
        {
            v.ScaleIO.StorageMode = string.IsNullOrEmpty(v.ScaleIO.StorageMode) ? "ThinProvisioned" : v.ScaleIO.StorageMode;
            v.ScaleIO.FsType = string.IsNullOrEmpty(v.ScaleIO.FsType) ? "xfs" : v.ScaleIO.FsType;
        }
        if (v.Ephemeral?.VolumeClaimTemplate?.Spec is { } claimSpec)
        {
            StorageDefaults.DefaultClaimSpec(claimSpec);
        }
    }

    /// <summary>The number of volume sources set on a volume.</summary>
    public static int VolumeSourceCount(V1Volume v)
    {
        object?[] sources =
        [
            v.AwsElasticBlockStore, v.AzureDisk, v.AzureFile, v.Cephfs, v.Cinder, v.ConfigMap, v.Csi, v.DownwardAPI,
            v.EmptyDir, v.Ephemeral, v.Fc, v.FlexVolume, v.Flocker, v.GcePersistentDisk, v.GitRepo, v.Glusterfs,
            v.HostPath, v.Image, v.Iscsi, v.Nfs, v.PersistentVolumeClaim, v.PhotonPersistentDisk, v.PortworxVolume,
            v.Projected, v.Quobyte, v.Rbd, v.ScaleIO, v.Secret, v.Storageos, v.VsphereVolume,
        ];
        return sources.Count(s => s != null);
    }

    /// <summary>
    /// Always for the tag "latest" or no tag and no digest; IfNotPresent otherwise (also for
    /// image names that do not parse).
    /// </summary>
    public static string PullPolicyFor(string? image) => ImageTag(image) == "latest" ? "Always" : "IfNotPresent";

    /// <summary>The tag of an image reference: "latest" when neither tag nor digest is given, "" when unparsable.</summary>
    public static string ImageTag(string? image)
    {
        if (string.IsNullOrEmpty(image) || image.Any(char.IsWhiteSpace))
        {
            return "";
        }
        var name = image;
        var digest = "";
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (digest.Length == 0)
            {
                return "";
            }
        }
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tag = "";
        if (colon > slash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (tag.Length == 0)
            {
                return "";
            }
        }
        // Path components after the registry host must be lower case (docker reference grammar).
        var firstSlash = name.IndexOf('/');
        var path = firstSlash >= 0 && (name[..firstSlash].Contains('.') || name[..firstSlash].Contains(':') || name[..firstSlash] == "localhost")
            ? name[(firstSlash + 1)..]
            : name;
        if (path.Length == 0 || path.Any(char.IsAsciiLetterUpper))
        {
            return "";
        }
        return tag.Length == 0 && digest.Length == 0 ? "latest" : tag;
    }
}
