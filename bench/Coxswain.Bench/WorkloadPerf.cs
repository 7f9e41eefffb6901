using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;

namespace Coxswain.Bench;

/// <summary>
/// The workload controllers under load: a `cox server` and N simulated nodes from a `cox agent` process, then
/// (1) one Deployment of R replicas until every replica is available, (2) a rolling update of it (new image) until
/// the rollout is complete as `kubectl rollout status` judges it, (3) D Deployments of P replicas created at once
/// until all are available. For each: the time, and the API requests per second the controller manager issued
/// (read from the server's /metrics by client program; watches excluded), with the scheduler's and the kubelets'.
/// </summary>
internal sealed partial class WorkloadPerf
{
    private const string Namespace = "workloads";
    private readonly Uri _server;
    private readonly string _token;
    private readonly KubernetesClientConfiguration _config;

    private WorkloadPerf(string kubeconfig)
    {
        _config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        _server = new Uri(_config.Host);
        _token = _config.AccessToken;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var nodes = int.TryParse(Get("--nodes"), out var n) ? n : 100;
        var replicas = int.TryParse(Get("--replicas"), out var r) ? r : 1000;
        var deployments = int.TryParse(Get("--deployments"), out var d) ? d : 100;
        var each = int.TryParse(Get("--each"), out var e) ? e : 30;
        await using var cox = await CoxProcess.StartAsync();
        var agent = BenchCluster.StartAgent(cox.Kubeconfig, nodes);
        try
        {
            var perf = new WorkloadPerf(cox.Kubeconfig);
            Console.WriteLine($"# workload controllers: {nodes} simulated nodes, {Environment.ProcessorCount} cores; server pid {cox.Pid}");
            await BenchCluster.WaitForReadyNodesAsync(perf.ConnectAsync, nodes);
            await using var connection = await perf.ConnectAsync();
            await BenchCluster.Expect(201, connection.NewStream().SendAsync("POST", "/api/v1/namespaces", Encoding.UTF8.GetBytes(
                $"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{Namespace}\"}}}}")));
            Console.WriteLine("| scenario | time s | controller-manager requests/s | scheduler requests/s | kubelet requests/s | server RSS MB |");
            Console.WriteLine("|---|---|---|---|---|---|");

            await perf.MeasureAsync(connection, $"Deployment of {replicas} replicas, created until all available", cox.Pid, async () =>
            {
                await perf.CreateDeploymentAsync(connection, "big", replicas, "registry.k8s.io/pause:3.10");
                await perf.WaitAsync(connection, ["big"], replicas, generation: 1);
            });
            await perf.MeasureAsync(connection, $"rolling update of it (new image), until complete", cox.Pid, async () =>
            {
                var patch = connection.NewStream();
                patch.ContentType = "application/strategic-merge-patch+json";
                await BenchCluster.Expect(200, patch.SendAsync("PATCH", $"/apis/apps/v1/namespaces/{Namespace}/deployments/big", Encoding.UTF8.GetBytes(
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.k8s.io/pause:3.9\"}]}}}}")));
                await perf.WaitAsync(connection, ["big"], replicas, generation: 2);
            });
            var names = Enumerable.Range(0, deployments).Select(i => $"d{i}").ToArray();
            await perf.MeasureAsync(connection, $"{deployments} Deployments of {each} replicas at once, until all available", cox.Pid, async () =>
            {
                await Task.WhenAll(names.Select(name => perf.CreateDeploymentAsync(connection, name, each, "registry.k8s.io/pause:3.10")));
                await perf.WaitAsync(connection, names, each, generation: 1);
            });
            return 0;
        }
        finally
        {
            Process.Start("kill", $"-TERM {agent.Id}")!.WaitForExit();
            await agent.WaitForExitAsync();
        }
    }

    private Task<LeanHttp2Connection> ConnectAsync() =>
        LeanHttp2Connection.OpenAsync(_server, _token, (_, cert, _, _) => ServerCertificate.Valid(cert, _config.SslCaCerts));

    private async Task MeasureAsync(LeanHttp2Connection connection, string name, int serverPid, Func<Task> scenario)
    {
        var before = await RequestsByClientAsync(connection);
        var clock = Stopwatch.StartNew();
        await scenario();
        var seconds = clock.Elapsed.TotalSeconds;
        var after = await RequestsByClientAsync(connection);
        string Rate(string client) => ((after.GetValueOrDefault(client) - before.GetValueOrDefault(client)) / seconds).ToString("F0");
        Console.WriteLine($"| {name} | {seconds:F1} | {Rate("kube-controller-manager")} | {Rate("kube-scheduler")} | {Rate("kubelet")} | {BenchCluster.Rss(serverPid)} |");
    }

    private Task CreateDeploymentAsync(LeanHttp2Connection connection, string name, int replicas, string image) =>
        BenchCluster.Expect(201, connection.NewStream().SendAsync("POST", $"/apis/apps/v1/namespaces/{Namespace}/deployments", Encoding.UTF8.GetBytes(
            $"{{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{{\"name\":\"{name}\"}},\"spec\":{{\"replicas\":{replicas}," +
            $"\"selector\":{{\"matchLabels\":{{\"app\":\"{name}\"}}}},\"template\":{{\"metadata\":{{\"labels\":{{\"app\":\"{name}\"}}}}," +
            $"\"spec\":{{\"containers\":[{{\"name\":\"app\",\"image\":\"{image}\"}}]}}}}}}}}")));

    /// <summary>
    /// Polls until every named Deployment has observed <paramref name="generation"/> and, as kubectl's rollout status
    /// requires, has all replicas updated and available and no old ones left.
    /// </summary>
    private async Task WaitAsync(LeanHttp2Connection connection, string[] names, int replicas, long generation)
    {
        var stream = connection.NewStream();
        var pending = new HashSet<string>(names);
        var deadline = Stopwatch.StartNew();
        while (pending.Count > 0)
        {
            var (status, body) = await stream.SendAsync("GET", $"/apis/apps/v1/namespaces/{Namespace}/deployments");
            if (status == 200)
            {
                using var doc = JsonDocument.Parse(body.ToArray());
                foreach (var d in doc.RootElement.GetProperty("items").EnumerateArray())
                {
                    var s = d.TryGetProperty("status", out var st) ? st : default;
                    long Field(string f) => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(f, out var v) ? v.GetInt64() : 0;
                    if (Field("observedGeneration") >= generation && Field("updatedReplicas") == replicas
                        && Field("availableReplicas") == replicas && Field("replicas") == replicas)
                    {
                        pending.Remove(d.GetProperty("metadata").GetProperty("name").GetString()!);
                    }
                }
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(15))
            {
                throw new TimeoutException($"{pending.Count} deployments not complete, e.g. {pending.First()}");
            }
            if (pending.Count > 0)
            {
                await Task.Delay(200);
            }
        }
    }

    [GeneratedRegex("""^coxswain_apiserver_requests_by_client_total\{client="(?<client>[^"]*)",resource="[^"]*",subresource="[^"]*",verb="(?<verb>[^"]*)"\} (?<n>\d+)$""", RegexOptions.Multiline)]
    private static partial Regex ByClient();

    /// <summary>Requests so far per client program, watches excluded (they are counted when they end).</summary>
    private static async Task<Dictionary<string, long>> RequestsByClientAsync(LeanHttp2Connection connection)
    {
        var (status, body) = await connection.NewStream().SendAsync("GET", "/metrics");
        if (status != 200)
        {
            throw new InvalidOperationException($"/metrics answered {status}");
        }
        var totals = new Dictionary<string, long>();
        foreach (Match m in ByClient().Matches(Encoding.UTF8.GetString(body.Span)))
        {
            if (m.Groups["verb"].Value != "WATCH")
            {
                var client = m.Groups["client"].Value;
                totals[client] = totals.GetValueOrDefault(client) + long.Parse(m.Groups["n"].Value);
            }
        }
        return totals;
    }
}
