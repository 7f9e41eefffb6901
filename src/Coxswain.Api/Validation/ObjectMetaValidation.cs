using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using k8s.Models;

namespace Coxswain.Api.Validation;

/// <summary>
/// Generic metadata validation as upstream's ValidateObjectMeta / ValidateObjectMetaUpdate
/// (apimachinery api/validation/objectmeta.go plus core's finalizer rule). The API server runs it
/// for every kind; strategies only add what is special to their kind.
/// </summary>
public static class ObjectMetaValidation
{
    /// <summary>Σ len(key)+len(value) over all annotations may not exceed 256 KiB.</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    /// <summary>Finalizer names that need no domain prefix.</summary>
    public static readonly IReadOnlySet<string> StandardFinalizers = new HashSet<string> { "kubernetes", "orphan", "foregroundDeletion" };

    /// <summary>
    /// Errors in the metadata of a new object: name (or generateName) by the kind's rule, namespace
    /// present exactly when the kind is namespaced, labels, annotations, owner references,
    /// finalizers and managed fields.
    /// </summary>
    public static List<FieldError> ValidateObjectMeta(V1ObjectMeta? meta, bool namespaced, NameRule rule, string path = "metadata")
    {
        meta ??= new V1ObjectMeta();
        var errs = new List<FieldError>();
        if (!string.IsNullOrEmpty(meta.GenerateName))
        {
            errs.AddRange(FieldChecks.Messages(Child(path, "generateName"), meta.GenerateName, ValidationRules.NameIs(rule, meta.GenerateName, prefix: true)));
        }
        if (string.IsNullOrEmpty(meta.Name))
        {
            errs.Add(FieldError.Required(Child(path, "name"), "name or generateName is required"));
        }
        else
        {
            errs.AddRange(FieldChecks.Messages(Child(path, "name"), meta.Name, ValidationRules.NameIs(rule, meta.Name, prefix: false)));
        }
        if (namespaced)
        {
            if (string.IsNullOrEmpty(meta.NamespaceProperty))
            {
                errs.Add(FieldError.Required(Child(path, "namespace")));
            }
            else
            {
                errs.AddRange(FieldChecks.Messages(Child(path, "namespace"), meta.NamespaceProperty, ValidationRules.IsDNS1123Label(meta.NamespaceProperty)));
            }
        }
        else if (!string.IsNullOrEmpty(meta.NamespaceProperty))
        {
            errs.Add(FieldError.Forbidden(Child(path, "namespace"), "not allowed on this type"));
        }
        errs.AddRange(FieldChecks.NonNegative(meta.Generation, Child(path, "generation")));
        errs.AddRange(ValidateLabels(meta.Labels, Child(path, "labels")));
        errs.AddRange(ValidateAnnotations(meta.Annotations, Child(path, "annotations")));
        errs.AddRange(ValidateOwnerReferences(meta.OwnerReferences, Child(path, "ownerReferences")));
        errs.AddRange(ValidateFinalizers(meta.Finalizers, Child(path, "finalizers")));
        errs.AddRange(ValidateManagedFields(meta.ManagedFields, Child(path, "managedFields")));
        return errs;
    }

    /// <summary>
    /// Errors in the metadata of an update: resourceVersion required, generation not decremented,
    /// name/namespace/uid/creationTimestamp/deletionTimestamp/deletionGracePeriodSeconds immutable,
    /// no new finalizers once deleting, and the create-time rules on labels, annotations, owners.
    /// </summary>
    public static List<FieldError> ValidateObjectMetaUpdate(V1ObjectMeta? meta, V1ObjectMeta? old, string path = "metadata")
    {
        meta ??= new V1ObjectMeta();
        old ??= new V1ObjectMeta();
        var errs = new List<FieldError>();
        if (old.DeletionTimestamp != null)
        {
            var added = (meta.Finalizers ?? []).Except(old.Finalizers ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                var list = "[]string{" + string.Join(", ", added.Select(a => "\"" + a + "\"")) + "}";
                errs.Add(FieldError.Forbidden(Child(path, "finalizers"), $"no new finalizers can be added if the object is being deleted, found new finalizers {list}"));
            }
        }
        if (string.IsNullOrEmpty(meta.ResourceVersion))
        {
            errs.Add(FieldError.Invalid(Child(path, "resourceVersion"), meta.ResourceVersion ?? "", "must be specified for an update"));
        }
        if ((meta.Generation ?? 0) < (old.Generation ?? 0))
        {
            errs.Add(FieldError.Invalid(Child(path, "generation"), meta.Generation ?? 0, "must not be decremented"));
        }
        errs.AddRange(FieldChecks.Immutable(meta.Name ?? "", old.Name ?? "", Child(path, "name")));
        errs.AddRange(FieldChecks.Immutable(meta.NamespaceProperty ?? "", old.NamespaceProperty ?? "", Child(path, "namespace")));
        errs.AddRange(FieldChecks.Immutable(meta.Uid ?? "", old.Uid ?? "", Child(path, "uid")));
        errs.AddRange(FieldChecks.Immutable(meta.CreationTimestamp, old.CreationTimestamp, Child(path, "creationTimestamp")));
        errs.AddRange(FieldChecks.Immutable(meta.DeletionTimestamp, old.DeletionTimestamp, Child(path, "deletionTimestamp")));
        errs.AddRange(FieldChecks.Immutable(meta.DeletionGracePeriodSeconds, old.DeletionGracePeriodSeconds, Child(path, "deletionGracePeriodSeconds")));
        errs.AddRange(ValidateLabels(meta.Labels, Child(path, "labels")));
        errs.AddRange(ValidateAnnotations(meta.Annotations, Child(path, "annotations")));
        errs.AddRange(ValidateOwnerReferences(meta.OwnerReferences, Child(path, "ownerReferences")));
        errs.AddRange(ValidateManagedFields(meta.ManagedFields, Child(path, "managedFields")));
        if (meta.Finalizers != null)
        {
            for (var i = 0; i < meta.Finalizers.Count; i++)
            {
                errs.AddRange(ValidateKubeFinalizerName(meta.Finalizers[i], $"{Child(path, "finalizers")}[{i}]"));
            }
        }
        return errs;
    }

    /// <summary>Label keys are qualified names, values are empty or 63 characters of [-A-Za-z0-9_.]; errors are on the map path.</summary>
    public static List<FieldError> ValidateLabels(IDictionary<string, string>? labels, string path)
    {
        var errs = new List<FieldError>();
        if (labels == null)
        {
            return errs;
        }
        foreach (var (k, v) in labels)
        {
            errs.AddRange(FieldChecks.Messages(path, k, ValidationRules.IsQualifiedName(k)));
            errs.AddRange(FieldChecks.Messages(path, v ?? "", ValidationRules.IsValidLabelValue(v ?? "")));
        }
        return errs;
    }

    /// <summary>Annotation keys are qualified names (case-insensitively); total size at most 256 KiB.</summary>
    public static List<FieldError> ValidateAnnotations(IDictionary<string, string>? annotations, string path)
    {
        var errs = new List<FieldError>();
        if (annotations == null)
        {
            return errs;
        }
        long total = 0;
        foreach (var (k, v) in annotations)
        {
            errs.AddRange(FieldChecks.Messages(path, k, ValidationRules.IsQualifiedName(k.ToLowerInvariant())));
            total += System.Text.Encoding.UTF8.GetByteCount(k) + System.Text.Encoding.UTF8.GetByteCount(v ?? "");
        }
        if (total > TotalAnnotationSizeLimitBytes)
        {
            errs.Add(FieldChecks.TooLong(path, TotalAnnotationSizeLimitBytes));
        }
        return errs;
    }

    public static List<FieldError> ValidateOwnerReferences(IList<V1OwnerReference>? refs, string path)
    {
        var errs = new List<FieldError>();
        if (refs == null)
        {
            return errs;
        }
        string? firstController = null;
        foreach (var r in refs)
        {
            var (group, version) = ParseGroupVersion(r.ApiVersion ?? "");
            if (version.Length == 0)
            {
                errs.Add(FieldError.Invalid(Child(path, "apiVersion"), r.ApiVersion ?? "", "version must not be empty"));
            }
            if (string.IsNullOrEmpty(r.Kind))
            {
                errs.Add(FieldError.Invalid(Child(path, "kind"), r.Kind ?? "", "kind must not be empty"));
            }
            if (string.IsNullOrEmpty(r.Name))
            {
                errs.Add(FieldError.Invalid(Child(path, "name"), r.Name ?? "", "name must not be empty"));
            }
            if (string.IsNullOrEmpty(r.Uid))
            {
                errs.Add(FieldError.Invalid(Child(path, "uid"), r.Uid ?? "", "uid must not be empty"));
            }
            if (group.Length == 0 && version == "v1" && r.Kind == "Event")
            {
                errs.Add(FieldChecks.Invalid(path, r, $"{group}/{version}, Kind={r.Kind} is disallowed from being an owner"));
            }
            if (r.Controller == true)
            {
                var current = r.Kind + "/" + r.Name;
                if (firstController != null)
                {
                    errs.Add(FieldChecks.Invalid(path, refs,
                        $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
                }
                else
                {
                    firstController = current;
                }
            }
        }
        return errs;
    }

    /// <summary>Finalizers are qualified names; legacy names without '/' must be standard; orphan and foregroundDeletion conflict.</summary>
    public static List<FieldError> ValidateFinalizers(IList<string>? finalizers, string path)
    {
        var errs = new List<FieldError>();
        if (finalizers == null)
        {
            return errs;
        }
        foreach (var f in finalizers)
        {
            errs.AddRange(FieldChecks.QualifiedName(f, path));
        }
        if (finalizers.Contains("orphan") && finalizers.Contains("foregroundDeletion"))
        {
            errs.Add(FieldChecks.Invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
        }
        for (var i = 0; i < finalizers.Count; i++)
        {
            errs.AddRange(ValidateKubeFinalizerName(finalizers[i], $"{path}[{i}]"));
        }
        return errs;
    }

    /// <summary>A finalizer name without a '/' must be one of the standard ones.</summary>
    public static IEnumerable<FieldError> ValidateKubeFinalizerName(string name, string path) =>
        !name.Contains('/') && !StandardFinalizers.Contains(name)
            ? [FieldError.Invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified")]
            : [];

    /// <summary>A finalizer on a spec (namespace spec.finalizers): qualified name plus the standard-name rule.</summary>
    public static IEnumerable<FieldError> ValidateFinalizerName(string name, string path) =>
        FieldChecks.QualifiedName(name, path).Concat(ValidateKubeFinalizerName(name, path));

    public static List<FieldError> ValidateManagedFields(IList<V1ManagedFieldsEntry>? entries, string path)
    {
        var errs = new List<FieldError>();
        if (entries == null)
        {
            return errs;
        }
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var p = $"{path}[{i}]";
            if (e.Operation is not ("Apply" or "Update"))
            {
                errs.Add(FieldError.Invalid(Child(p, "operation"), e.Operation ?? "", "must be `Apply` or `Update`"));
            }
            if (!string.IsNullOrEmpty(e.FieldsType) && e.FieldsType != "FieldsV1")
            {
                errs.Add(FieldError.Invalid(Child(p, "fieldsType"), e.FieldsType, "must be `FieldsV1`"));
            }
        }
        return errs;
    }

    /// <summary>Labels and annotations of an embedded template's metadata (pod templates and the like).</summary>
    public static List<FieldError> ValidateTemplateMeta(V1ObjectMeta? meta, string path)
    {
        var errs = ValidateLabels(meta?.Labels, Child(path, "labels"));
        errs.AddRange(ValidateAnnotations(meta?.Annotations, Child(path, "annotations")));
        return errs;
    }

    /// <summary>
    /// A label selector: matchLabels as labels, each expression with a valid operator, values as
    /// the operator demands, and a qualified-name key.
    /// </summary>
    public static List<FieldError> ValidateLabelSelector(V1LabelSelector? selector, string path, bool allowInvalidLabelValue = false)
    {
        var errs = new List<FieldError>();
        if (selector == null)
        {
            return errs;
        }
        errs.AddRange(ValidateLabels(selector.MatchLabels, Child(path, "matchLabels")));
        var exprs = selector.MatchExpressions ?? [];
        for (var i = 0; i < exprs.Count; i++)
        {
            var e = exprs[i];
            var p = $"{Child(path, "matchExpressions")}[{i}]";
            var values = e.Values ?? [];
            switch (e.OperatorProperty)
            {
                case "In" or "NotIn":
                    if (values.Count == 0)
                    {
                        errs.Add(FieldError.Required(Child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                    break;
                case "Exists" or "DoesNotExist":
                    if (values.Count > 0)
                    {
                        errs.Add(FieldError.Forbidden(Child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                    break;
                default:
                    errs.Add(FieldError.Invalid(Child(p, "operator"), e.OperatorProperty ?? "", "not a valid selector operator"));
                    break;
            }
            errs.AddRange(FieldChecks.QualifiedName(e.Key ?? "", Child(p, "key")));
            if (!allowInvalidLabelValue)
            {
                for (var j = 0; j < values.Count; j++)
                {
                    errs.AddRange(FieldChecks.Messages($"{Child(p, "values")}[{j}]", values[j], ValidationRules.IsValidLabelValue(values[j] ?? "")));
                }
            }
        }
        return errs;
    }

    /// <summary>"apps/v1" = ("apps", "v1"); "v1" = ("", "v1"); anything with more slashes = ("", "").</summary>
    public static (string Group, string Version) ParseGroupVersion(string apiVersion)
    {
        if (apiVersion.Length == 0)
        {
            return ("", "");
        }
        var parts = apiVersion.Split('/');
        return parts.Length switch
        {
            1 => ("", parts[0]),
            2 => (parts[0], parts[1]),
            _ => ("", ""),
        };
    }

    private static string Child(string parent, string child) => FieldChecks.Child(parent, child);
}
