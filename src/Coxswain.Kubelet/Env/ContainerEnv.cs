using System.Text;
using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>One resolved environment variable, as the runtime receives it.</summary>
public sealed record EnvVar(string Name, string Value);

/// <summary>A Warning event the pod worker should record on the pod (upstream records them while resolving env).</summary>
public sealed record EnvWarning(string Reason, string Message);

/// <summary>A container's environment and the warnings met on the way.</summary>
public sealed record ResolvedEnv(IReadOnlyList<EnvVar> Vars, IReadOnlyList<EnvWarning> Warnings);

/// <summary>
/// Resolves a container's environment as upstream's kubelet does (makeEnvironmentVariables): Service variables,
/// then envFrom (later sources win, invalid names skipped with a warning), then env in order, where a value's
/// <c>$(VAR)</c> sees the variables defined before it and the Service variables. Missing required objects or keys
/// throw <see cref="ContainerConfigException"/> with upstream's message.
/// </summary>
public sealed class ContainerEnv(IPodObjectSource objects)
{
    /// <summary>Services from the default namespace every pod gets, even with enableServiceLinks false.</summary>
    private static readonly string[] MasterServices = ["kubernetes"];

    public async Task<ResolvedEnv> ResolveAsync(V1Pod pod, V1Container container, PodHostInfo host, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var warnings = new List<EnvWarning>();
        var serviceEnv = await ServiceEnvAsync(ns, pod.Spec.EnableServiceLinks ?? true, ct).ConfigureAwait(false);
        var env = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        var cache = new ObjectCache(objects, ns);

        foreach (var source in container.EnvFrom ?? [])
        {
            await AddEnvFromAsync(source, env, cache, ns, warnings, ct).ConfigureAwait(false);
        }

        var mapping = EnvExpansion.MappingFor(env, serviceEnv);
        foreach (var variable in container.Env ?? [])
        {
            if (!string.IsNullOrEmpty(variable.Value))
            {
                env[variable.Name] = EnvExpansion.Expand(variable.Value, mapping);
            }
            else if (variable.ValueFrom is { } from)
            {
                if (await ValueFromAsync(from, pod, container, host, cache, ns, ct).ConfigureAwait(false) is { } value)
                {
                    env[variable.Name] = value;
                }
            }
            else
            {
                env[variable.Name] = "";
            }
        }

        var vars = env.Select(e => new EnvVar(e.Key, e.Value)).ToList();
        vars.AddRange(serviceEnv.Where(e => !env.ContainsKey(e.Key)).Select(e => new EnvVar(e.Key, e.Value)));
        return new ResolvedEnv(vars, warnings);
    }

    private async Task<IReadOnlyDictionary<string, string>> ServiceEnvAsync(string ns, bool enableServiceLinks, CancellationToken ct)
    {
        var services = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        if (enableServiceLinks)
        {
            foreach (var service in await objects.ListServicesAsync(ns, ct).ConfigureAwait(false))
            {
                services[service.Metadata.Name] = service;
            }
        }
        if (ns != "default" || !enableServiceLinks)
        {
            foreach (var service in await objects.ListServicesAsync("default", ct).ConfigureAwait(false))
            {
                if (MasterServices.Contains(service.Metadata.Name))
                {
                    services.TryAdd(service.Metadata.Name, service);
                }
            }
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services.Values.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            foreach (var (name, value) in ServiceEnvVars.From(service))
            {
                result[name] = value;
            }
        }
        return result;
    }

    private static async Task AddEnvFromAsync(V1EnvFromSource source, OrderedDictionary<string, string> env, ObjectCache cache, string ns, List<EnvWarning> warnings, CancellationToken ct)
    {
        IEnumerable<KeyValuePair<string, string>> data;
        string kind, name;
        if (source.ConfigMapRef is { } cmRef)
        {
            (kind, name) = ("configMap", cmRef.Name);
            var configMap = await cache.ConfigMapAsync(cmRef.Name, cmRef.Optional == true, ct).ConfigureAwait(false);
            if (configMap is null)
            {
                return;
            }
            data = configMap.Data ?? new Dictionary<string, string>();
        }
        else if (source.SecretRef is { } secretRef)
        {
            (kind, name) = ("secret", secretRef.Name);
            var secret = await cache.SecretAsync(secretRef.Name, secretRef.Optional == true, ct).ConfigureAwait(false);
            if (secret is null)
            {
                return;
            }
            data = (secret.Data ?? new Dictionary<string, byte[]>()).Select(e => KeyValuePair.Create(e.Key, Encoding.UTF8.GetString(e.Value)));
        }
        else
        {
            return;
        }

        var invalid = new List<string>();
        foreach (var (key, value) in data)
        {
            var variable = (source.Prefix ?? "") + key;
            if (EnvVarNames.IsValid(variable))
            {
                env[variable] = value;
            }
            else
            {
                invalid.Add(variable);
            }
        }
        if (invalid.Count > 0)
        {
            invalid.Sort(StringComparer.Ordinal);
            warnings.Add(new EnvWarning("InvalidEnvironmentVariableNames",
                $"Keys [{string.Join(", ", invalid)}] from the EnvFrom {kind} {ns}/{name} were skipped since they are considered invalid environment variable names."));
        }
    }

    // Null: an optional reference that is absent, so the variable is left out.
    private static async Task<string?> ValueFromAsync(V1EnvVarSource from, V1Pod pod, V1Container container, PodHostInfo host, ObjectCache cache, string ns, CancellationToken ct)
    {
        if (from.FieldRef is { } fieldRef)
        {
            return PodFieldValue(fieldRef.FieldPath, pod, host);
        }
        if (from.ResourceFieldRef is { } resourceRef)
        {
            return ContainerResources.Value(resourceRef, container, host.NodeAllocatable);
        }
        if (from.ConfigMapKeyRef is { } cmKey)
        {
            var optional = cmKey.Optional == true;
            var configMap = await cache.ConfigMapAsync(cmKey.Name, optional, ct).ConfigureAwait(false);
            if (configMap is null)
            {
                return null;
            }
            if (configMap.Data is not null && configMap.Data.TryGetValue(cmKey.Key, out var value))
            {
                return value;
            }
            return optional ? null : throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
        }
        if (from.SecretKeyRef is { } secretKey)
        {
            var optional = secretKey.Optional == true;
            var secret = await cache.SecretAsync(secretKey.Name, optional, ct).ConfigureAwait(false);
            if (secret is null)
            {
                return null;
            }
            if (secret.Data is not null && secret.Data.TryGetValue(secretKey.Key, out var bytes))
            {
                return Encoding.UTF8.GetString(bytes);
            }
            return optional ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }
        return "";
    }

    /// <summary>An env fieldRef: the node- and status-level fields, then the metadata fields downward API volumes share.</summary>
    internal static string PodFieldValue(string fieldPath, V1Pod pod, PodHostInfo host) => fieldPath switch
    {
        "spec.nodeName" => pod.Spec.NodeName ?? "",
        "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "",
        "status.hostIP" => host.HostIPs.FirstOrDefault() ?? "",
        "status.hostIPs" => string.Join(',', host.HostIPs),
        "status.podIP" => host.PodIPs.FirstOrDefault() ?? "",
        "status.podIPs" => string.Join(',', host.PodIPs),
        _ => PodFieldPaths.Extract(pod, fieldPath),
    };

    /// <summary>Each referenced object is read once per container, as upstream does; not found honours optional.</summary>
    private sealed class ObjectCache(IPodObjectSource objects, string ns)
    {
        private readonly Dictionary<string, V1ConfigMap?> configMaps = [];
        private readonly Dictionary<string, V1Secret?> secrets = [];

        public async Task<V1ConfigMap?> ConfigMapAsync(string name, bool optional, CancellationToken ct)
        {
            if (!configMaps.TryGetValue(name, out var configMap))
            {
                configMaps[name] = configMap = await objects.GetConfigMapAsync(ns, name, ct).ConfigureAwait(false);
            }
            return configMap is null && !optional ? throw new ContainerConfigException($"configmap \"{name}\" not found") : configMap;
        }

        public async Task<V1Secret?> SecretAsync(string name, bool optional, CancellationToken ct)
        {
            if (!secrets.TryGetValue(name, out var secret))
            {
                secrets[name] = secret = await objects.GetSecretAsync(ns, name, ct).ConfigureAwait(false);
            }
            return secret is null && !optional ? throw new ContainerConfigException($"secret \"{name}\" not found") : secret;
        }
    }
}
