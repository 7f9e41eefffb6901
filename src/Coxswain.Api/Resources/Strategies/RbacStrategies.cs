using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Rules shared by the rbac.authorization.k8s.io/v1 kinds.</summary>
internal static class RbacValidation
{
    public const string Group = "rbac.authorization.k8s.io";

    public static List<FieldError> Rules(IList<V1PolicyRule>? rules, bool namespaced)
    {
        var errs = new List<FieldError>();
        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            errs.AddRange(Rule(rules![i], namespaced, $"rules[{i}]"));
        }
        return errs;
    }

    private static List<FieldError> Rule(V1PolicyRule rule, bool namespaced, string path)
    {
        var errs = new List<FieldError>();
        if ((rule.Verbs?.Count ?? 0) == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "verbs"), "verbs must contain at least one value"));
        }
        if (rule.NonResourceURLs is { Count: > 0 } urls)
        {
            if (namespaced)
            {
                errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
            }
            if ((rule.ApiGroups?.Count ?? 0) > 0 || (rule.Resources?.Count ?? 0) > 0 || (rule.ResourceNames?.Count ?? 0) > 0)
            {
                errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs"));
            }
            return errs;
        }
        if ((rule.ApiGroups?.Count ?? 0) == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "apiGroups"), "resource rules must supply at least one api group"));
        }
        if ((rule.Resources?.Count ?? 0) == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "resources"), "resource rules must supply at least one resource"));
        }
        return errs;
    }

    public static void DefaultBinding(V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects)
    {
        if (roleRef != null && string.IsNullOrEmpty(roleRef.ApiGroup))
        {
            roleRef.ApiGroup = Group;
        }
        foreach (var s in subjects ?? [])
        {
            // ServiceAccount subjects default to the core group "", which is omitted on the wire.
            if (string.IsNullOrEmpty(s.ApiGroup) && s.Kind is "User" or "Group")
            {
                s.ApiGroup = Group;
            }
        }
    }

    public static List<FieldError> Binding(V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects, bool namespaced)
    {
        var errs = new List<FieldError>();
        roleRef ??= new V1RoleRef();
        if (roleRef.ApiGroup != Group)
        {
            errs.Add(FieldChecks.NotSupported("roleRef.apiGroup", roleRef.ApiGroup ?? "", Group));
        }
        if (namespaced)
        {
            if (roleRef.Kind is not ("Role" or "ClusterRole"))
            {
                errs.Add(FieldChecks.NotSupported("roleRef.kind", roleRef.Kind ?? "", "Role", "ClusterRole"));
            }
        }
        else if (roleRef.Kind != "ClusterRole")
        {
            errs.Add(FieldChecks.NotSupported("roleRef.kind", roleRef.Kind ?? "", "ClusterRole"));
        }
        if (string.IsNullOrEmpty(roleRef.Name))
        {
            errs.Add(FieldError.Required("roleRef.name"));
        }
        else
        {
            errs.AddRange(FieldChecks.Messages("roleRef.name", roleRef.Name, ValidationRules.IsValidPathSegmentName(roleRef.Name)));
        }
        for (var i = 0; i < (subjects?.Count ?? 0); i++)
        {
            errs.AddRange(Subject(subjects![i], namespaced, $"subjects[{i}]"));
        }
        return errs;
    }

    private static List<FieldError> Subject(Rbacv1Subject s, bool namespaced, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(s.Name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name")));
        }
        switch (s.Kind)
        {
            case "ServiceAccount":
                if (!string.IsNullOrEmpty(s.Name))
                {
                    errs.AddRange(FieldChecks.DNS1123Subdomain(s.Name, FieldChecks.Child(path, "name")));
                }
                if (!string.IsNullOrEmpty(s.ApiGroup))
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "apiGroup"), s.ApiGroup, ""));
                }
                if (!namespaced && string.IsNullOrEmpty(s.NamespaceProperty))
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(path, "namespace")));
                }
                break;
            case "User" or "Group":
                if (s.ApiGroup != Group)
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "apiGroup"), s.ApiGroup ?? "", Group));
                }
                break;
            default:
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "kind"), s.Kind ?? "", "ServiceAccount", "User", "Group"));
                break;
        }
        return errs;
    }

    /// <summary>A binding's roleRef never changes.</summary>
    public static List<FieldError> RoleRefUpdate(V1RoleRef? roleRef, V1RoleRef? old) =>
        ObjectJson.SemanticEquals(roleRef, old) ? [] : [FieldChecks.Invalid("roleRef", roleRef, "cannot change roleRef")];
}

/// <summary>Roles (rbac.authorization.k8s.io/v1).</summary>
public sealed class RoleStrategy : KindStrategy<V1Role>
{
    public override IEnumerable<FieldError> ValidateCreate(V1Role obj) => RbacValidation.Rules(obj.Rules, namespaced: true);
}

/// <summary>ClusterRoles (rbac.authorization.k8s.io/v1).</summary>
public sealed class ClusterRoleStrategy : KindStrategy<V1ClusterRole>
{
    public override IEnumerable<FieldError> ValidateCreate(V1ClusterRole obj)
    {
        var errs = RbacValidation.Rules(obj.Rules, namespaced: false);
        if (obj.AggregationRule != null)
        {
            var selectors = obj.AggregationRule.ClusterRoleSelectors ?? [];
            if (selectors.Count == 0)
            {
                errs.Add(FieldError.Required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
            }
            for (var i = 0; i < selectors.Count; i++)
            {
                var p = $"aggregationRule.clusterRoleSelectors[{i}]";
                errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(selectors[i], p));
                if (!SelectorMatching.IsConvertible(selectors[i]))
                {
                    errs.Add(FieldChecks.Invalid(p, selectors[i], "invalid label selector."));
                }
            }
        }
        return errs;
    }
}

/// <summary>RoleBindings (rbac.authorization.k8s.io/v1).</summary>
public sealed class RoleBindingStrategy : KindStrategy<V1RoleBinding>
{
    public override void Default(V1RoleBinding obj) => RbacValidation.DefaultBinding(obj.RoleRef, obj.Subjects);

    public override IEnumerable<FieldError> ValidateCreate(V1RoleBinding obj) => RbacValidation.Binding(obj.RoleRef, obj.Subjects, namespaced: true);

    public override IEnumerable<FieldError> ValidateUpdate(V1RoleBinding obj, V1RoleBinding old) =>
        RbacValidation.Binding(obj.RoleRef, obj.Subjects, namespaced: true).Concat(RbacValidation.RoleRefUpdate(obj.RoleRef, old.RoleRef));
}

/// <summary>ClusterRoleBindings (rbac.authorization.k8s.io/v1).</summary>
public sealed class ClusterRoleBindingStrategy : KindStrategy<V1ClusterRoleBinding>
{
    public override void Default(V1ClusterRoleBinding obj) => RbacValidation.DefaultBinding(obj.RoleRef, obj.Subjects);

    public override IEnumerable<FieldError> ValidateCreate(V1ClusterRoleBinding obj) => RbacValidation.Binding(obj.RoleRef, obj.Subjects, namespaced: false);

    public override IEnumerable<FieldError> ValidateUpdate(V1ClusterRoleBinding obj, V1ClusterRoleBinding old) =>
        RbacValidation.Binding(obj.RoleRef, obj.Subjects, namespaced: false).Concat(RbacValidation.RoleRefUpdate(obj.RoleRef, old.RoleRef));
}
