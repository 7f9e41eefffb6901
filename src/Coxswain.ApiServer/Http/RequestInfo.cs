namespace Coxswain.ApiServer.Http;

/// <summary>
/// What a resource path names, parsed like upstream's RequestInfoFactory:
/// <c>/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}</c> and <c>/apis/{group}/{version}/...</c>.
/// </summary>
internal sealed record RequestInfo(
    string Group,
    string Version,
    string? Namespace,
    string Resource,
    string? Name,
    string? Subresource)
{
    /// <summary>Subresources of a namespace object that are not namespaced resources.</summary>
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>Parses a resource path; null when the path is not one (discovery, health, ...).</summary>
    public static RequestInfo? Parse(string path)
    {
        var parts = path.Trim('/').Split('/');
        string group;
        string version;
        int rest;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            group = "";
            version = parts[1];
            rest = 2;
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            group = parts[1];
            version = parts[2];
            rest = 3;
        }
        else
        {
            return null;
        }

        var segs = parts.AsSpan(rest);
        if (segs.Length == 0 || segs.Contains(""))
        {
            return null;
        }
        string? ns = null;
        if (segs[0] == "namespaces" && segs.Length > 1)
        {
            ns = segs[1];
            if (segs.Length > 2 && !NamespaceSubresources.Contains(segs[2]))
            {
                segs = segs[2..];
            }
            else
            {
                // The namespace object itself: /namespaces/{name}[/status|/finalize].
                return segs.Length > 3 ? null : new RequestInfo(group, version, null, "namespaces", ns, segs.Length == 3 ? segs[2] : null);
            }
        }
        return segs.Length switch
        {
            1 => new RequestInfo(group, version, ns, segs[0], null, null),
            2 => new RequestInfo(group, version, ns, segs[0], segs[1], null),
            3 => new RequestInfo(group, version, ns, segs[0], segs[1], segs[2]),
            _ => null,
        };
    }
}
