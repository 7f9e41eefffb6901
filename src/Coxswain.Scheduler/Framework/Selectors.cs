using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>A compiled metav1.LabelSelector. A null API selector compiles to Nothing, an empty one to Everything.</summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Nothing = new([], matchesNothing: true);
    public static readonly LabelSelector Everything = new([], matchesNothing: false);

    private readonly (string Key, string Op, string[] Values)[] _reqs;
    private readonly bool _nothing;

    private LabelSelector((string, string, string[])[] reqs, bool matchesNothing)
    {
        _reqs = reqs;
        _nothing = matchesNothing;
    }

    public bool IsEmpty => !_nothing && _reqs.Length == 0;

    public static LabelSelector From(V1LabelSelector? s, IEnumerable<(string Key, string Value)>? extraIn = null)
    {
        if (s == null) return Nothing;
        var reqs = new List<(string, string, string[])>();
        if (s.MatchLabels != null)
            foreach (var (k, v) in s.MatchLabels) reqs.Add((k, "In", [v]));
        if (s.MatchExpressions != null)
            foreach (var e in s.MatchExpressions) reqs.Add((e.Key, e.OperatorProperty, e.Values?.ToArray() ?? []));
        if (extraIn != null)
            foreach (var (k, v) in extraIn) reqs.Add((k, "In", [v]));
        return reqs.Count == 0 ? Everything : new LabelSelector(reqs.ToArray(), false);
    }

    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_nothing) return false;
        foreach (var (key, op, values) in _reqs)
        {
            string? v = null;
            var has = labels != null && labels.TryGetValue(key, out v);
            switch (op)
            {
                case "In": if (!has || Array.IndexOf(values, v) < 0) return false; break;
                case "NotIn": if (has && Array.IndexOf(values, v) >= 0) return false; break;
                case "Exists": if (!has) return false; break;
                case "DoesNotExist": if (has) return false; break;
                default: return false;
            }
        }
        return true;
    }
}

/// <summary>Upstream's nodeaffinity helpers: NodeSelectorTerms are ORed, requirements within a term ANDed.</summary>
public static class NodeSelectors
{
    public static bool MatchesTerms(IList<V1NodeSelectorTerm>? terms, V1Node node)
    {
        if (terms == null) return false;
        foreach (var t in terms)
            if (MatchesTerm(t, node)) return true;
        return false;
    }

    /// <summary>An empty term (no expressions, no fields) matches no objects.</summary>
    public static bool MatchesTerm(V1NodeSelectorTerm t, V1Node node)
    {
        var exprs = t.MatchExpressions;
        var fields = t.MatchFields;
        if ((exprs == null || exprs.Count == 0) && (fields == null || fields.Count == 0)) return false;
        if (exprs != null)
            foreach (var r in exprs)
                if (!MatchesRequirement(r, node.Metadata?.Labels)) return false;
        if (fields != null)
            foreach (var f in fields)
            {
                // Only metadata.name is a supported field, with In/NotIn.
                if (f.Key != "metadata.name") return false;
                var fieldSet = new Dictionary<string, string> { ["metadata.name"] = node.Metadata?.Name ?? "" };
                if (f.OperatorProperty is not ("In" or "NotIn") || f.Values is not { Count: 1 }) return false;
                if (!MatchesRequirement(f, fieldSet)) return false;
            }
        return true;
    }

    public static bool MatchesRequirement(V1NodeSelectorRequirement r, IDictionary<string, string>? labels)
    {
        string? v = null;
        var has = labels != null && labels.TryGetValue(r.Key, out v);
        switch (r.OperatorProperty)
        {
            case "In": return has && r.Values != null && r.Values.Contains(v!);
            case "NotIn": return !has || r.Values == null || !r.Values.Contains(v!);
            case "Exists": return has;
            case "DoesNotExist": return !has;
            case "Gt":
            case "Lt":
                if (!has || r.Values is not { Count: 1 }) return false;
                if (!long.TryParse(v, out var lv) || !long.TryParse(r.Values[0], out var rv)) return false;
                return r.OperatorProperty == "Gt" ? lv > rv : lv < rv;
            default: return false;
        }
    }

    /// <summary>spec.nodeSelector and required node affinity, as upstream's GetRequiredNodeAffinity(pod).Match(node).</summary>
    public static bool PodMatchesNodeRequirements(V1Pod pod, V1Node node)
    {
        var sel = pod.Spec?.NodeSelector;
        var req = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (sel == null && req == null) return true;
        if (sel != null)
        {
            var labels = node.Metadata?.Labels;
            foreach (var (k, v) in sel)
                if (labels == null || !labels.TryGetValue(k, out var nv) || nv != v) return false;
        }
        return req == null || MatchesTerms(req.NodeSelectorTerms, node);
    }
}

public static class Tolerations
{
    /// <summary>Upstream's v1helper.TolerationsTolerateTaint / Toleration.ToleratesTaint.</summary>
    public static bool Tolerates(V1Toleration t, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(t.Effect) && t.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(t.Key) && t.Key != taint.Key) return false;
        return t.OperatorProperty switch
        {
            "Exists" => true,
            "Equal" or "" or null => (t.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    public static bool AnyTolerates(IList<V1Toleration>? tolerations, V1Taint taint)
    {
        if (tolerations == null) return false;
        foreach (var t in tolerations)
            if (Tolerates(t, taint)) return true;
        return false;
    }
}
