using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>
/// Counts resource requests for <c>/metrics</c> in Prometheus text format: upstream's apiserver_request_total (by
/// verb, group, version, resource, subresource, scope and code) and, beside it, the same count by client program
/// (the user agent up to its first '/': kube-scheduler, kube-controller-manager, kubelet, kubectl), which shows what
/// each component costs the server.
/// </summary>
internal sealed class RequestMetrics
{
    private readonly ConcurrentDictionary<Key, long> _counts = new();

    private readonly record struct Key(string Client, string Verb, string Group, string Version, string Resource, string Subresource, string Scope, int Code);

    public void Record(HttpRequest request, RequestInfo info, int code)
    {
        var agent = request.Headers.UserAgent.ToString();
        var slash = agent.IndexOf('/');
        var client = slash > 0 ? agent[..slash] : agent;
        var scope = info.Name != null ? "resource" : info.Namespace != null ? "namespace" : "cluster";
        var key = new Key(client, Verb(request, info), info.Group, info.Version, info.Resource, info.Subresource ?? "", scope, code);
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    /// <summary>Upstream's verb names: LIST and WATCH for collection GETs, APPLY for server-side apply, DELETECOLLECTION.</summary>
    private static string Verb(HttpRequest request, RequestInfo info)
    {
        var method = request.Method;
        var watch = request.Query["watch"].ToString() is "true" or "1";
        return method switch
        {
            "GET" when watch => "WATCH",
            "GET" when info.Name == null => "LIST",
            "PATCH" when request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true => "APPLY",
            "DELETE" when info.Name == null => "DELETECOLLECTION",
            _ => method,
        };
    }

    public async Task WriteAsync(HttpResponse response)
    {
        var text = new StringBuilder();
        var counts = _counts.ToArray();
        text.Append("# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.\n");
        text.Append("# TYPE apiserver_request_total counter\n");
        foreach (var group in counts.GroupBy(kv => kv.Key with { Client = "" }).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            var k = group.Key;
            text.Append(CultureInfo.InvariantCulture,
                $"apiserver_request_total{{code=\"{k.Code}\",component=\"apiserver\",group=\"{k.Group}\",resource=\"{k.Resource}\",scope=\"{k.Scope}\",subresource=\"{k.Subresource}\",verb=\"{k.Verb}\",version=\"{k.Version}\"}} {group.Sum(kv => kv.Value)}\n");
        }
        text.Append("# HELP coxswain_apiserver_requests_by_client_total Resource requests by client program (user agent up to its first '/'), verb and resource.\n");
        text.Append("# TYPE coxswain_apiserver_requests_by_client_total counter\n");
        foreach (var group in counts.GroupBy(kv => (kv.Key.Client, kv.Key.Verb, kv.Key.Resource, kv.Key.Subresource)).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            var (client, verb, resource, sub) = group.Key;
            text.Append(CultureInfo.InvariantCulture,
                $"coxswain_apiserver_requests_by_client_total{{client=\"{Escape(client)}\",resource=\"{resource}\",subresource=\"{sub}\",verb=\"{verb}\"}} {group.Sum(kv => kv.Value)}\n");
        }
        response.StatusCode = 200;
        response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await response.WriteAsync(text.ToString());
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
