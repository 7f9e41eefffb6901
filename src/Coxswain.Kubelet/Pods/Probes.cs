using System.Collections.Concurrent;
using System.Net.Sockets;
using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>The latest probe results per container id, read by the status builder and the sync.</summary>
internal interface IProbeResults
{
    /// <summary>False until a startup probe succeeded (true at once without one).</summary>
    bool Started(string containerId);
    /// <summary>False until a readiness probe succeeded (true once started without one).</summary>
    bool Ready(string containerId);
    /// <summary>True once liveness (or startup) failed failureThreshold times: the container must be restarted.</summary>
    bool MustRestart(string containerId);
}

/// <summary>
/// Upstream's prober: one worker per container and probe kind, each running its probe every periodSeconds after
/// initialDelaySeconds and flipping the result after successThreshold/failureThreshold consecutive outcomes.
/// Liveness and readiness wait for the startup probe. A changed result wakes the pod's worker.
/// </summary>
internal sealed class ProbeManager(CriClient cri, IEventRecorder events, Action<string> podChanged) : IProbeResults, IDisposable
{
    private sealed class ContainerProbes
    {
        public required string PodUid;
        public readonly CancellationTokenSource Stop = new();
        public volatile bool Started;
        public volatile bool Ready;
        public volatile bool MustRestart;
    }

    private readonly ConcurrentDictionary<string, ContainerProbes> _containers = new();
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        // Probes reach pod IPs directly and accept any certificate, as upstream's prober does.
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        AllowAutoRedirect = true,
        UseProxy = false,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public bool Started(string containerId) => _containers.TryGetValue(containerId, out var p) ? p.Started : true;
    public bool Ready(string containerId) => _containers.TryGetValue(containerId, out var p) ? p.Ready : true;
    public bool MustRestart(string containerId) => _containers.TryGetValue(containerId, out var p) && p.MustRestart;

    /// <summary>Starts probe workers for running containers that have none, stops those of containers no longer running.</summary>
    public void Sync(V1Pod pod, PodRuntimeState state)
    {
        var running = new HashSet<string>();
        foreach (var container in pod.Spec.Containers.Concat(Sidecars.Of(pod.Spec)))
        {
            if (state.Latest(container.Name) is not { Running: true } rc)
            {
                continue;
            }
            running.Add(rc.Id);
            if (_containers.ContainsKey(rc.Id))
            {
                continue;
            }
            var probes = new ContainerProbes
            {
                PodUid = pod.Metadata.Uid,
                Started = container.StartupProbe is null,
                Ready = container.ReadinessProbe is null,
            };
            _containers[rc.Id] = probes;
            var target = new ProbeTarget(pod, container, rc.Id, state.PodIp);
            if (container.StartupProbe is { } startup)
            {
                _ = RunAsync(target, probes, "Startup", startup, probes.Stop.Token);
            }
            if (container.LivenessProbe is { } liveness)
            {
                _ = RunAsync(target, probes, "Liveness", liveness, probes.Stop.Token);
            }
            if (container.ReadinessProbe is { } readiness)
            {
                _ = RunAsync(target, probes, "Readiness", readiness, probes.Stop.Token);
            }
        }
        foreach (var (id, probes) in _containers)
        {
            if (probes.PodUid == pod.Metadata.Uid && !running.Contains(id))
            {
                Remove(id);
            }
        }
    }

    public void RemovePod(string podUid)
    {
        foreach (var (id, probes) in _containers)
        {
            if (probes.PodUid == podUid)
            {
                Remove(id);
            }
        }
    }

    private void Remove(string containerId)
    {
        if (_containers.TryRemove(containerId, out var probes))
        {
            probes.Stop.Cancel();
            probes.Stop.Dispose();
        }
    }

    private sealed record ProbeTarget(V1Pod Pod, V1Container Container, string ContainerId, string? PodIp);

    private async Task RunAsync(ProbeTarget target, ContainerProbes state, string kind, V1Probe probe, CancellationToken ct)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        var successThreshold = Math.Max(1, probe.SuccessThreshold ?? 1);
        var failureThreshold = Math.Max(1, probe.FailureThreshold ?? 3);
        int successes = 0, failures = 0;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(probe.InitialDelaySeconds ?? 0), ct);
            while (!ct.IsCancellationRequested)
            {
                if (kind == "Startup" && state.Started)
                {
                    return; // a startup probe stops once it succeeded
                }
                if (kind != "Startup" && !state.Started)
                {
                    await Task.Delay(period, ct);
                    continue;
                }
                var (ok, output) = await ProbeOnceAsync(target, probe, ct);
                if (ok)
                {
                    successes++;
                    failures = 0;
                }
                else
                {
                    failures++;
                    successes = 0;
                    events.Event(target.Pod, EventTypes.Warning, "Unhealthy", $"{kind} probe failed: {output}".TrimEnd());
                }
                var changed = false;
                switch (kind)
                {
                    case "Startup" when successes >= successThreshold:
                        state.Started = changed = true;
                        break;
                    case "Startup" or "Liveness" when failures >= failureThreshold && !state.MustRestart:
                        state.MustRestart = changed = true;
                        events.Event(target.Pod, EventTypes.Normal, "Killing",
                            $"Container {target.Container.Name} failed {kind.ToLowerInvariant()} probe, will be restarted");
                        break;
                    case "Readiness" when successes >= successThreshold && !state.Ready:
                        state.Ready = changed = true;
                        break;
                    case "Readiness" when failures >= failureThreshold && state.Ready:
                        state.Ready = false;
                        changed = true;
                        break;
                }
                if (changed)
                {
                    podChanged(target.Pod.Metadata.Uid);
                }
                await Task.Delay(period, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task<(bool Ok, string Output)> ProbeOnceAsync(ProbeTarget target, V1Probe probe, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        try
        {
            if (probe.Exec is { } exec)
            {
                var result = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest
                {
                    ContainerId = target.ContainerId,
                    Cmd = { exec.Command ?? [] },
                    Timeout = (long)timeout.TotalSeconds,
                }, cancellationToken: ct);
                var output = result.Stdout.ToStringUtf8() + result.Stderr.ToStringUtf8();
                return (result.ExitCode == 0, output);
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            if (probe.HttpGet is { } http)
            {
                var host = http.Host is { Length: > 0 } h ? h : target.PodIp ?? "127.0.0.1";
                var port = ResolvePort(http.Port, target.Container);
                var path = http.Path is { Length: > 0 } p ? (p.StartsWith('/') ? p : "/" + p) : "/";
                var scheme = http.Scheme?.ToLowerInvariant() == "https" ? "https" : "http";
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{host}:{port}{path}");
                request.Headers.UserAgent.ParseAdd("kube-probe/1.32");
                foreach (var header in http.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                }
                using var response = await Http.SendAsync(request, cts.Token);
                var code = (int)response.StatusCode;
                return (code is >= 200 and < 400, $"HTTP probe failed with statuscode: {code}");
            }
            if (probe.TcpSocket is { } tcp)
            {
                var host = tcp.Host is { Length: > 0 } h ? h : target.PodIp ?? "127.0.0.1";
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(host, ResolvePort(tcp.Port, target.Container), cts.Token);
                return (true, "");
            }
            return (true, "");
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.DeadlineExceeded)
        {
            return (false, $"command timed out after {timeout.TotalSeconds}s");
        }
        catch (Grpc.Core.RpcException e)
        {
            return (false, e.Status.Detail);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException)
        {
            return (false, e.Message);
        }
    }

    /// <summary>A probe port is a number or the name of one of the container's ports.</summary>
    public static int ResolvePort(IntOrString port, V1Container container)
    {
        var value = port.Value;
        if (int.TryParse(value, out var number))
        {
            return number;
        }
        return container.Ports?.FirstOrDefault(p => p.Name == value)?.ContainerPort
            ?? throw new InvalidOperationException($"port {value} not found in container {container.Name}");
    }

    public void Dispose()
    {
        foreach (var id in _containers.Keys)
        {
            Remove(id);
        }
    }
}
