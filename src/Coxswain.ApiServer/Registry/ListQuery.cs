using System.Text;
using System.Text.Json;
using Coxswain.Api.Errors;
using Coxswain.Api.Selectors;

namespace Coxswain.ApiServer.Registry;

/// <summary>The options of a list or watch (query parameters of upstream's ListOptions).</summary>
internal sealed record ListQuery
{
    public LabelSelector Labels { get; init; } = LabelSelector.Everything;
    public FieldSelector Fields { get; init; } = FieldSelector.Everything;
    public int Limit { get; init; }
    public string? Continue { get; init; }
    public string? ResourceVersion { get; init; }
    public string? ResourceVersionMatch { get; init; }

    public bool HasSelectors => !Labels.IsEverything || !Fields.IsEverything;
}

/// <summary>
/// Upstream's continue token: base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"&lt;key after prefix&gt;\u0000"}.
/// The revision pins every page of a list to one consistent snapshot.
/// </summary>
internal static class ContinueToken
{
    public static string Encode(long revision, string nextKeyAfterPrefix)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["v"] = "meta.k8s.io/v1",
            ["rv"] = revision,
            ["start"] = nextKeyAfterPrefix,
        });
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static (long Revision, string Start) Decode(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            using var doc = JsonDocument.Parse(Convert.FromBase64String(b64));
            var root = doc.RootElement;
            if (root.GetProperty("v").GetString() != "meta.k8s.io/v1")
            {
                throw new FormatException("unknown version");
            }
            var rv = root.GetProperty("rv").GetInt64();
            var start = root.GetProperty("start").GetString() ?? "";
            if (rv <= 0 || start.Contains('/') && start.Split('/').Any(s => s is ".." or "."))
            {
                throw new FormatException("bad token");
            }
            return (rv, start);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {Encoding.UTF8.GetByteCount(token)} bytes could not be decoded");
        }
    }
}
