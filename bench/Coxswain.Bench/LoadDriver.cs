using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Coxswain.Bench;

/// <summary>
/// Drives a running API server over HTTPS with N concurrent clients: creates, gets, lists,
/// updates, and the delivery of events to many watchers.
/// </summary>
internal sealed class LoadDriver
{
    private readonly BenchOptions _options;
    private readonly Uri _server;
    private readonly string _token;
    private readonly X509Certificate2Collection _ca;
    private readonly string _ns = "bench-" + Guid.NewGuid().ToString("N")[..6];
    private long _created;
    private long _sequence;

    public LoadDriver(string kubeconfig, BenchOptions options)
    {
        _options = options;
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        _server = new Uri(config.Host);
        _token = config.AccessToken;
        _ca = config.SslCaCerts;
    }

    public IEnumerable<(string Name, Func<Task<(Stats, TimeSpan)>> Run)> Scenarios =>
    [
        ("setup", Setup),
        ("create", Create),
        ("get", Get),
        ("list", List),
        ("update", Update),
        ("watch", WatchDelivery),
    ];

    private HttpClient NewClient(int connections, bool http2 = false)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => ValidCertificate(cert) },
        };
        var http = new HttpClient(handler) { BaseAddress = _server, Timeout = TimeSpan.FromMinutes(5) };
        if (http2)
        {
            handler.EnableMultipleHttp2Connections = true;
            http.DefaultRequestVersion = HttpVersion.Version20;
            http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    private string ConfigMaps => $"/api/v1/namespaces/{_ns}/configmaps";

    private static StringContent JsonContent(string s) => new(s, Encoding.UTF8, "application/json");

    private static byte[] Json(string s) => Encoding.UTF8.GetBytes(s);

    private static string ConfigMap(string name, string value) =>
        $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"app\":\"bench\"}}}},\"data\":{{\"seq\":\"{value}\",\"payload\":\"{new string('x', 512)}\"}}}}";

    private async Task<(Stats, TimeSpan)> Setup()
    {
        using var http = NewClient(1);
        var stats = new Stats("setup (namespace)");
        var sw = Stopwatch.StartNew();
        var r = await http.PostAsync("/api/v1/namespaces", JsonContent($"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{_ns}\"}}}}"));
        if (!r.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"cannot create namespace: {r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
        stats.Add(sw.Elapsed.TotalMilliseconds);
        return (stats, sw.Elapsed);
    }

    private bool ValidCertificate(X509Certificate? cert) => ServerCertificate.Valid(cert, _ca);

    /// <summary>
    /// Opens <paramref name="clients"/> clients: each on its own HTTP/1.1 connection (the default), or
    /// spread round-robin over --connections HTTP/2 connections (lean, or HttpClient for comparison).
    /// </summary>
    private async Task<ClientSet> Connect(int clients)
    {
        if (_options.Http2 || _options.Http2HttpClient)
        {
            var count = Math.Min(clients, _options.Connections);
            if (_options.Http2HttpClient)
            {
                var https = Enumerable.Range(0, count).Select(_ => NewClient(1, http2: true)).ToArray();
                return new ClientSet(Enumerable.Range(0, clients).Select(i => (IRequester)new Http2Requester(https[i % count])).ToArray(), [], https);
            }
            var connections = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => LeanHttp2Connection.OpenAsync(_server, _token, (_, cert, _, _) => ValidCertificate(cert))));
            return new ClientSet(Enumerable.Range(0, clients).Select(i => (IRequester)connections[i % count].NewStream()).ToArray(), connections, []);
        }
        var lean = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => LeanConnection.OpenAsync(_server, _token, (_, cert, _, _) => ValidCertificate(cert))));
        return new ClientSet(lean, lean, []);
    }

    /// <summary>The clients of a scenario and the connections they share, closed once at its end.</summary>
    private sealed class ClientSet(IRequester[] clients, IAsyncDisposable[] connections, IDisposable[] httpClients) : IAsyncDisposable
    {
        public IRequester[] Clients => clients;

        public async ValueTask DisposeAsync()
        {
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
            foreach (var h in httpClients)
            {
                h.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="op"/> on every client, first for the warm-up time (so that tiered JIT
    /// compilation has settled; not measured) and then for the measured time.
    /// </summary>
    private async Task<(Stats, TimeSpan)> RunFor(string name, Func<IRequester, int, long, Task<bool>> op)
    {
        await using var set = await Connect(_options.Clients);
        await Drive(set.Clients, op, TimeSpan.FromSeconds(_options.WarmupSeconds), new Stats(name));
        var stats = new Stats(name);
        var elapsed = await Drive(set.Clients, op, TimeSpan.FromSeconds(_options.Seconds), stats);
        return (stats, elapsed);
    }

    private async Task<TimeSpan> Drive(IRequester[] clients, Func<IRequester, int, long, Task<bool>> op, TimeSpan duration, Stats stats)
    {
        var clock = Stopwatch.StartNew();
        var tasks = clients.Select((connection, client) => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var n = Interlocked.Increment(ref _sequence);
                var t = Stopwatch.GetTimestamp();
                if (await op(connection, client, n))
                {
                    stats.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                else
                {
                    stats.Error();
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        return clock.Elapsed;
    }

    private Task<(Stats, TimeSpan)> Create() => RunFor($"create configmap ({_options.Clients} clients)", async (connection, client, n) =>
    {
        var (status, _) = await connection.SendAsync("POST", ConfigMaps, Json(ConfigMap($"cm{n}", n.ToString())));
        if (status == 201)
        {
            InterlockedMax(ref _created, n);
        }
        return status == 201;
    });

    private Task<(Stats, TimeSpan)> Get() => RunFor($"get configmap ({_options.Clients} clients)", async (connection, client, n) =>
    {
        var (status, _) = await connection.SendAsync("GET", $"{ConfigMaps}/cm{1 + (n % Math.Max(1, Volatile.Read(ref _created)))}");
        return status == 200;
    });

    private async Task<(Stats, TimeSpan)> List()
    {
        await using var set = await Connect(1);
        var setup = set.Clients[0];
        var listNs = _ns + "-list";
        await setup.SendAsync("POST", "/api/v1/namespaces", Json($"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{listNs}\"}}}}"));
        for (var i = 0; i < 100; i++)
        {
            await setup.SendAsync("POST", $"/api/v1/namespaces/{listNs}/configmaps", Json(ConfigMap($"l{i}", "0")));
        }
        return await RunFor($"list 100 configmaps ({_options.Clients} clients)", async (connection, client, n) =>
        {
            var (status, _) = await connection.SendAsync("GET", $"/api/v1/namespaces/{listNs}/configmaps");
            return status == 200;
        });
    }

    private Task<(Stats, TimeSpan)> Update() => RunFor($"update configmap ({_options.Clients} clients)", async (connection, client, n) =>
    {
        // Each client updates its own object (no resourceVersion: unconditional PUT).
        var name = $"cm{1 + client}";
        var (status, _) = await connection.SendAsync("PUT", $"{ConfigMaps}/{name}", Json(ConfigMap(name, n.ToString())));
        return status == 200;
    });

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>
    /// W watchers on one namespace; one writer updates an object E times, 100 ms apart; latency = from sending the
    /// update to its receipt, per watcher. The first few updates warm the path up and are not measured.
    /// </summary>
    private async Task<(Stats, TimeSpan)> WatchDelivery()
    {
        var stats = new Stats($"watch event to {_options.Watchers} watchers");
        var watchNs = _ns + "-watch";
        using var writer = NewClient(1);
        await writer.PostAsync("/api/v1/namespaces", JsonContent($"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{watchNs}\"}}}}"));
        using var created = await writer.PostAsync($"/api/v1/namespaces/{watchNs}/configmaps", JsonContent(ConfigMap("w", "-1")));
        var rv = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();

        var warmup = Math.Min(10, _options.WatchEvents);
        var total = warmup + _options.WatchEvents;
        var sent = new long[total];
        var received = 0;
        void OnLine(ReadOnlySpan<byte> line)
        {
            var now = Stopwatch.GetTimestamp();
            var at = line.IndexOf("\"seq\":\""u8);
            if (at < 0)
            {
                return;
            }
            var rest = line[(at + 7)..];
            var end = rest.IndexOf((byte)'"');
            if (end > 0 && System.Buffers.Text.Utf8Parser.TryParse(rest[..end], out int seq, out _) && seq >= warmup && seq < total
                && Volatile.Read(ref sent[seq]) is var t and not 0)
            {
                stats.Add(Stopwatch.GetElapsedTime(t, now).TotalMilliseconds);
                Interlocked.Increment(ref received);
            }
        }

        await using var watchers = await StartWatchersAsync($"/api/v1/namespaces/{watchNs}/configmaps?watch=true&resourceVersion={rv}", OnLine);
        var sw = Stopwatch.StartNew();
        while (watchers.Connected() < _options.Watchers && sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }
        await Task.Delay(500);
        sw.Restart();
        for (var i = 0; i < total; i++)
        {
            if (i == warmup)
            {
                sw.Restart();
            }
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            (await writer.PutAsync($"/api/v1/namespaces/{watchNs}/configmaps/w", JsonContent(ConfigMap("w", i.ToString())))).Dispose();
            await Task.Delay(100);
        }
        var expected = _options.WatchEvents * _options.Watchers;
        var wait = Stopwatch.StartNew();
        while (Volatile.Read(ref received) < expected && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
        for (var i = Volatile.Read(ref received); i < expected; i++)
        {
            stats.Error();
        }
        return (stats, sw.Elapsed);
    }

    /// <summary>
    /// Opens --watchers watches of <paramref name="path"/>, each line of each going to <paramref name="onLine"/>: with
    /// --http2 as streams spread over --connections lean HTTP/2 connections (as client-go multiplexes its watches), else
    /// one HttpClient HTTP/1.1 connection per watch.
    /// </summary>
    private async Task<WatcherSet> StartWatchersAsync(string path, LineHandler onLine)
    {
        var stop = new CancellationTokenSource();
        var connected = 0;
        if (_options.Http2)
        {
            var connections = await Task.WhenAll(Enumerable.Range(0, _options.Connections).Select(_ => LeanHttp2Connection.OpenAsync(_server, _token, (_, cert, _, _) => ValidCertificate(cert))));
            var streams = Enumerable.Range(0, _options.Watchers).Select(i =>
            {
                var stream = connections[i % connections.Length].NewStream();
                stream.OnBody = new LineSplitter(onLine).Push;
                return stream;
            }).ToArray();
            var requests = streams.Select(s => s.SendAsync("GET", path)).ToArray();
            return new WatcherSet(() => streams.Count(s => Volatile.Read(ref s.Status) != 0), requests, connections, stop);
        }
        var http = NewClient(_options.Watchers);
        var tasks = Enumerable.Range(0, _options.Watchers).Select(_ => Task.Run(async () =>
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            Interlocked.Increment(ref connected);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                onLine(Encoding.UTF8.GetBytes(line));
            }
        })).ToArray();
        return new WatcherSet(() => Volatile.Read(ref connected), tasks, [new HttpClientOwner(http)], stop);
    }

    private sealed class HttpClientOwner(HttpClient http) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            http.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Running watches: how many are connected; disposing ends them.</summary>
    private sealed class WatcherSet(Func<int> connected, Task[] running, IAsyncDisposable[] connections, CancellationTokenSource stop) : IAsyncDisposable
    {
        public int Connected() => connected();

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
            try
            {
                await Task.WhenAll(running);
            }
            catch (Exception)
            {
                // The watches end by being cut off.
            }
            stop.Dispose();
        }
    }
}
