using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace Coxswain.Controllers.Tests.Support;

/// <summary>
/// The API as a controller unit test sees it (upstream's fake clientset): every request is recorded and answered
/// without a server. Creates echo the object with a name (from generateName) and uid filled in; other writes echo
/// their body; failures can be scripted per method and path. Tests seed the informer caches themselves, run one
/// sync, and assert on <see cref="Requests"/>.
/// </summary>
public sealed class FakeApi : DelegatingHandler
{
    private readonly Lock _lock = new();
    private readonly List<Request> _requests = [];
    private readonly List<(string Method, string PathPart, HttpStatusCode Code, string Reason, bool Once)> _failures = [];
    private readonly List<(string Method, string PathPart, string Json)> _answers = [];
    private int _sequence;

    public sealed record Request(string Method, string Path, string Body)
    {
        public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
    }

    public Kubernetes Client() => new(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, this);

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Requests of one method whose path contains <paramref name="pathPart"/> (e.g. "POST", "/pods").</summary>
    public List<Request> Where(string method, string pathPart) =>
        Requests.Where(r => r.Method == method && r.Path.Contains(pathPart, StringComparison.Ordinal)).ToList();

    /// <summary>Every later request of <paramref name="method"/> to a path containing <paramref name="pathPart"/> fails.</summary>
    public void Fail(string method, string pathPart, HttpStatusCode code = HttpStatusCode.InternalServerError, string reason = "InternalError")
    {
        lock (_lock)
        {
            _failures.Add((method, pathPart, code, reason, false));
        }
    }

    /// <summary>Only the next request of <paramref name="method"/> to a path containing <paramref name="pathPart"/> fails.</summary>
    public void FailOnce(string method, string pathPart, HttpStatusCode code, string reason)
    {
        lock (_lock)
        {
            _failures.Add((method, pathPart, code, reason, true));
        }
    }

    /// <summary>Requests of <paramref name="method"/> to a path containing <paramref name="pathPart"/> get <paramref name="json"/>.</summary>
    public void Answer(string method, string pathPart, string json)
    {
        lock (_lock)
        {
            _answers.Add((method, pathPart, json));
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content == null ? "" : await request.Content.ReadAsStringAsync(ct);
        var path = request.RequestUri!.PathAndQuery;
        var method = request.Method.Method;
        lock (_lock)
        {
            _requests.Add(new Request(method, path, body));
            foreach (var f in _failures)
            {
                if (f.Method == method && path.Contains(f.PathPart, StringComparison.Ordinal))
                {
                    if (f.Once)
                    {
                        _failures.Remove(f);
                    }
                    var status = $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"injected {f.Reason}\",\"reason\":\"{f.Reason}\",\"code\":{(int)f.Code}}}";
                    return Answer(request, f.Code, status);
                }
            }
            if (_answers.FindLast(a => a.Method == method && path.Contains(a.PathPart, StringComparison.Ordinal)) is { Json: { } json })
            {
                return Answer(request, HttpStatusCode.OK, json);
            }
        }
        return method switch
        {
            "POST" => Answer(request, HttpStatusCode.Created, Created(body)),
            // No "status" field: typed clients read a delete answer as the deleted object (a Pod) or a Status, and a
            // string "status" cannot be read as a Pod's status.
            "DELETE" => Answer(request, HttpStatusCode.OK, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"code\":200}"),
            _ => Answer(request, HttpStatusCode.OK, body.Length == 0 ? "{}" : body),
        };
    }

    private string Created(string body)
    {
        var obj = JsonNode.Parse(body)!.AsObject();
        var meta = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = meta;
        var n = Interlocked.Increment(ref _sequence);
        if (meta["name"] == null && meta["generateName"] is { } prefix)
        {
            meta["name"] = $"{prefix.GetValue<string>()}{n:x5}";
        }
        meta["uid"] ??= $"uid-{n}";
        meta["resourceVersion"] = n.ToString();
        return obj.ToJsonString();
    }

    private static HttpResponseMessage Answer(HttpRequestMessage request, HttpStatusCode code, string json) =>
        new(code) { RequestMessage = request, Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
