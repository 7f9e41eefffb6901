using Coxswain.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>What shape the client asked the answer in (the Accept header's as=/g=/v= parameters).</summary>
internal enum OutputShape
{
    Object,
    Table,
    PartialObjectMetadata,
}

internal static class Negotiation
{
    public static OutputShape Shape(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Length == 0 || !accept.Contains("as=", StringComparison.Ordinal))
        {
            return OutputShape.Object;
        }
        // The first acceptable entry wins, as upstream's negotiation does.
        foreach (var entry in accept.Split(','))
        {
            var parts = entry.Split(';').Select(p => p.Trim()).ToArray();
            string? asKind = null;
            string? group = null;
            string? version = null;
            foreach (var p in parts.Skip(1))
            {
                var eq = p.IndexOf('=');
                if (eq < 0)
                {
                    continue;
                }
                var (k, v) = (p[..eq], p[(eq + 1)..]);
                switch (k)
                {
                    case "as": asKind = v; break;
                    case "g": group = v; break;
                    case "v": version = v; break;
                }
            }
            if (asKind == null)
            {
                return OutputShape.Object;
            }
            if (group == "meta.k8s.io" && version is "v1" or "v1beta1")
            {
                if (asKind == "Table")
                {
                    return OutputShape.Table;
                }
                if (asKind is "PartialObjectMetadata" or "PartialObjectMetadataList")
                {
                    return OutputShape.PartialObjectMetadata;
                }
            }
        }
        throw new ApiException(406, "NotAcceptable", $"only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }
}
