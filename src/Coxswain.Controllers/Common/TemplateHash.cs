using System.Text;
using k8s;

namespace Coxswain.Controllers.Common;

/// <summary>
/// The hash controllers put in names and labels (pod-template-hash of a Deployment's ReplicaSets,
/// controller-revision-hash of DaemonSet/StatefulSet revisions): FNV-1a 32 over the template's JSON plus the
/// collision count, written in upstream's SafeEncodeString alphabet (no vowels, no 0/1/3, so no words and no
/// look-alikes). Upstream hashes the Go struct's printed form, so the values differ from a real cluster's; what
/// matters (stable for a template, different when it changes) is the same.
/// </summary>
public static class TemplateHash
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(object template, int? collisionCount = null)
    {
        var hash = Fnv1a(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template)));
        if (collisionCount is int c)
        {
            hash = Fnv1a(BitConverter.GetBytes(c), hash);
        }
        return SafeEncode(hash.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>FNV-1a 32 over raw bytes (upstream hashes a ControllerRevision's data this way).</summary>
    public static uint Fnv1a(ReadOnlySpan<byte> data, uint hash = 2166136261)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * 16777619;
        }
        return hash;
    }

    /// <summary>Upstream rand.SafeEncodeString: each character mapped into the safe alphabet.</summary>
    public static string SafeEncode(string s)
    {
        var chars = new char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            chars[i] = Alphabet[s[i] % Alphabet.Length];
        }
        return new string(chars);
    }
}
