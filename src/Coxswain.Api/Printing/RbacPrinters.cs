using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>
/// Printers of rbac.authorization.k8s.io/v1 kinds. Roles and ClusterRoles have no printer of
/// their own upstream and use the default (Name, Created At).
/// </summary>
internal static class RbacPrinters
{
    public static TablePrinter RoleBinding() => Binding("roleBinding")
        .On<V1RoleBinding>((rb, now) => Cells(rb.Metadata, rb.RoleRef, rb.Subjects, now));

    public static TablePrinter ClusterRoleBinding() => Binding("clusterRoleBinding")
        .On<V1ClusterRoleBinding>((crb, now) => Cells(crb.Metadata, crb.RoleRef, crb.Subjects, now));

    private static TablePrinter Binding(string kind) => new(
        Columns.Name,
        Columns.Text("Role", kind == "roleBinding" ? ColumnDescriptions.RoleBindingRoleRef : ColumnDescriptions.ClusterRoleBindingRoleRef),
        Columns.Age,
        Columns.Text("Users", $"Users in the {kind}", 1),
        Columns.Text("Groups", $"Groups in the {kind}", 1),
        Columns.Text("ServiceAccounts", $"ServiceAccounts in the {kind}", 1));

    private static object?[] Cells(V1ObjectMeta? meta, V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects, DateTime now)
    {
        var users = new List<string>();
        var groups = new List<string>();
        var serviceAccounts = new List<string>();
        foreach (var s in subjects ?? [])
        {
            switch (s.Kind)
            {
                case "ServiceAccount": serviceAccounts.Add($"{s.NamespaceProperty}/{s.Name}"); break;
                case "User": users.Add(s.Name ?? ""); break;
                case "Group": groups.Add(s.Name ?? ""); break;
            }
        }
        return
        [
            Print.NameOf(meta), $"{roleRef?.Kind}/{roleRef?.Name}", Print.Age(meta, now),
            string.Join(", ", users), string.Join(", ", groups), string.Join(", ", serviceAccounts),
        ];
    }
}
