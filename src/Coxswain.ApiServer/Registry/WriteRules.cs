using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using Coxswain.Api.Schema;
using Coxswain.Api.Resources;
using Coxswain.Api.Resources.Strategies;
using Coxswain.Api.Serialization;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>
/// The rules every kind follows on create and update (upstream's rest.BeforeCreate /
/// BeforeUpdate plus the status/spec split of the registries): system metadata, the status
/// subresource, generation, then the kind's defaulting and validation.
/// </summary>
internal static class WriteRules
{
    private const string NameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static void PrepareForCreate(ResourceDefinition def, string? ns, IKubernetesObject<V1ObjectMeta> obj, DateTime now)
    {
        obj.ApiVersion = def.ApiVersion;
        obj.Kind = def.Kind;
        var meta = obj.Metadata ??= new V1ObjectMeta();
        CheckNamespace(def, ns, meta);
        DropEmptyMetadataCollections(meta);
        if (string.IsNullOrEmpty(meta.Name) && !string.IsNullOrEmpty(meta.GenerateName))
        {
            meta.Name = meta.GenerateName + RandomSuffix();
        }
        meta.Uid = Guid.NewGuid().ToString();
        meta.CreationTimestamp = TruncateToSeconds(now);
        meta.ResourceVersion = null;
        meta.DeletionTimestamp = null;
        meta.DeletionGracePeriodSeconds = null;
        meta.SelfLink = null;
        meta.Generation = def.TracksGeneration ? 1 : null;
        ResetStatusForCreate(def, obj);
        var strategy = ResourceCatalog.StrategyFor(def);
        strategy.Default(obj);
        (strategy as IPrepareForCreate)?.PrepareForCreate(obj);
    }

    public static void PrepareForUpdate(ResourceDefinition def, string? ns, string name, string? subresource,
        IKubernetesObject<V1ObjectMeta> desired, IKubernetesObject<V1ObjectMeta> current)
    {
        desired.ApiVersion = def.ApiVersion;
        desired.Kind = def.Kind;
        var meta = desired.Metadata ??= new V1ObjectMeta();
        CheckNamespace(def, ns, meta);
        DropEmptyMetadataCollections(meta);
        if (string.IsNullOrEmpty(meta.Name))
        {
            meta.Name = name;
        }
        else if (meta.Name != name)
        {
            throw ApiException.BadRequest($"the name of the object ({meta.Name}) does not match the name on the URL ({name})");
        }
        if (!string.IsNullOrEmpty(meta.Uid) && meta.Uid != current.Metadata.Uid)
        {
            throw ApiException.Conflict(def.Plural, def.Group, name, $"Precondition failed: UID in precondition: {meta.Uid}, UID in object meta: {current.Metadata.Uid}");
        }
        var old = current.Metadata;
        meta.Uid = old.Uid;
        meta.CreationTimestamp = old.CreationTimestamp;
        meta.DeletionTimestamp = old.DeletionTimestamp;
        meta.DeletionGracePeriodSeconds = old.DeletionGracePeriodSeconds;
        meta.SelfLink = null;
        meta.GenerateName ??= old.GenerateName;
        meta.Generation = old.Generation;

        if (subresource == "status")
        {
            // A status write changes status only (and metadata other than what the owner controls).
            CopyAllButStatus(current, desired);
            meta.Labels = old.Labels;
            if (!StatusWritesMetadata(def))
            {
                meta.Annotations = old.Annotations;
                meta.Finalizers = old.Finalizers;
                meta.OwnerReferences = old.OwnerReferences;
            }
        }
        else if (def.HasStatus && subresource == null)
        {
            SetStatus(desired, GetStatus(current));
        }

        var strategy = ResourceCatalog.StrategyFor(def);
        strategy.Default(desired);
        if (subresource == null)
        {
            (strategy as IPrepareForUpdate)?.PrepareForUpdate(desired, current);
        }

        if (def.TracksGeneration && subresource != "status" && SpecChanged(desired, current))
        {
            meta.Generation = (old.Generation ?? 0) + 1;
        }
    }

    /// <summary>Fields a write to this endpoint resets (upstream's GetResetFields), which nobody owns there.</summary>
    public static IReadOnlyList<string>? ResetFields(ResourceDefinition def, string? subresource) => subresource switch
    {
        null when def.HasStatus => ["status"],
        "status" when StatusWritesMetadata(def) => ["spec", "metadata.labels"],
        "status" => ["spec", "metadata.labels", "metadata.annotations", "metadata.finalizers", "metadata.ownerReferences"],
        _ => null,
    };

    /// <summary>
    /// Upstream's deployment status strategy resets only spec and labels: the deployment controller records the
    /// current revision (deployment.kubernetes.io/revision) on the deployment in the same status write.
    /// </summary>
    private static bool StatusWritesMetadata(ResourceDefinition def) => def.Group == "apps" && def.Plural == "deployments";

    /// <summary>
    /// Records the write in metadata.managedFields (an Update entry for the manager), as
    /// upstream's field manager does for create, update and non-apply patches.
    /// </summary>
    public static void TrackManagedFields(ResourceDefinition def, string? subresource, IKubernetesObject<V1ObjectMeta> desired,
        IKubernetesObject<V1ObjectMeta>? current, WriteOptions options, DateTime now)
    {
        if (options.ManagedFieldsDone)
        {
            return;
        }
        var schema = ModelSchemas.For(def.ModelType);
        var entries = ManagedFields.EntriesForWrite(
            current == null ? null : ObjectCodec.ToNode(current), ObjectCodec.ToNode(desired), schema,
            options.FieldManager, def.ApiVersion, now,
            new FieldManagerOptions { Subresource = subresource, ResetFields = ResetFields(def, subresource) });
        desired.Metadata.ManagedFields = entries?.Deserialize<IList<V1ManagedFieldsEntry>>(ObjectCodec.Options);
    }

    public static void ValidateCreate(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj)
    {
        var errors = new List<FieldError>();
        errors.AddRange(MetadataValidation.Validate(def, obj.Metadata));
        errors.AddRange(ResourceCatalog.StrategyFor(def).ValidateCreate(obj));
        ThrowIfAny(def, obj, errors);
    }

    /// <summary>
    /// Validates an update. The binding subresource is the one sanctioned way to set a pod's
    /// node, so the pod update rules (which forbid it) do not apply to it.
    /// </summary>
    public static void ValidateUpdate(ResourceDefinition def, string? subresource, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        var errors = new List<FieldError>();
        errors.AddRange(MetadataValidation.Validate(def, obj.Metadata, old.Metadata));
        if (old.Metadata.DeletionTimestamp != null && (obj.Metadata.Finalizers ?? []).Except(old.Metadata.Finalizers ?? []).Any())
        {
            errors.Add(FieldError.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"));
        }
        if (subresource != "binding")
        {
            errors.AddRange(ResourceCatalog.StrategyFor(def).ValidateUpdate(obj, old));
        }
        ThrowIfAny(def, obj, errors);
    }

    private static void ThrowIfAny(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(def.Kind, def.Group, obj.Metadata?.Name ?? obj.Metadata?.GenerateName ?? "", errors);
        }
    }

    /// <summary>Go leaves empty metadata maps and lists out (omitempty); so do we.</summary>
    private static void DropEmptyMetadataCollections(V1ObjectMeta meta)
    {
        if (meta.Labels is { Count: 0 })
        {
            meta.Labels = null;
        }
        if (meta.Annotations is { Count: 0 })
        {
            meta.Annotations = null;
        }
        if (meta.Finalizers is { Count: 0 })
        {
            meta.Finalizers = null;
        }
        if (meta.OwnerReferences is { Count: 0 })
        {
            meta.OwnerReferences = null;
        }
    }

    private static void CheckNamespace(ResourceDefinition def, string? ns, V1ObjectMeta meta)
    {
        if (!def.Namespaced)
        {
            meta.NamespaceProperty = null;
            return;
        }
        if (string.IsNullOrEmpty(meta.NamespaceProperty))
        {
            meta.NamespaceProperty = ns;
        }
        else if (meta.NamespaceProperty != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static string RandomSuffix()
    {
        Span<char> chars = stackalloc char[5];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = NameSuffixAlphabet[RandomNumberGenerator.GetInt32(NameSuffixAlphabet.Length)];
        }
        return new string(chars);
    }

    public static DateTime TruncateToSeconds(DateTime t) =>
        new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    /// <summary>New objects start with an empty status, except the few kinds whose writers set it on create.</summary>
    private static void ResetStatusForCreate(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj)
    {
        if (!def.HasStatus || def.Kind == "Node")
        {
            return;
        }
        var prop = StatusProperty(obj.GetType());
        if (prop == null)
        {
            return;
        }
        prop.SetValue(obj, Activator.CreateInstance(prop.PropertyType));
    }

    private static PropertyInfo? StatusProperty(Type t) => t.GetProperty("Status");

    private static object? GetStatus(object obj) => StatusProperty(obj.GetType())?.GetValue(obj);

    private static void SetStatus(object obj, object? status) => StatusProperty(obj.GetType())?.SetValue(obj, status);

    /// <summary>Copies every top-level field except apiVersion, kind, metadata and status.</summary>
    private static void CopyAllButStatus(object from, object to)
    {
        foreach (var p in from.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.Name is "ApiVersion" or "Kind" or "Metadata" or "Status" || !p.CanWrite)
            {
                continue;
            }
            p.SetValue(to, p.GetValue(from));
        }
    }

    /// <summary>True when anything but metadata and status differs (upstream bumps generation on spec changes).</summary>
    private static bool SpecChanged(IKubernetesObject<V1ObjectMeta> a, IKubernetesObject<V1ObjectMeta> b)
    {
        foreach (var p in a.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.Name is "ApiVersion" or "Kind" or "Metadata" or "Status")
            {
                continue;
            }
            var x = p.GetValue(a);
            var y = p.GetValue(b);
            if (x == null && y == null)
            {
                continue;
            }
            if (x == null || y == null || !ObjectCodec.Encode(x).AsSpan().SequenceEqual(ObjectCodec.Encode(y)))
            {
                return true;
            }
        }
        return false;
    }
}
