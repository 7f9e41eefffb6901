using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>postStart and preStop handlers (upstream's lifecycle/handlers.go): exec in the container, an HTTP GET, or sleep.</summary>
internal static class LifecycleHooks
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Runs the handler within <paramref name="timeoutSeconds"/>; returns upstream's error message, or null on success.</summary>
    public static async Task<string?> RunAsync(CriClient cri, V1LifecycleHandler handler, string containerId, V1Container? container,
        string? podIp, long timeoutSeconds, CancellationToken ct)
    {
        try
        {
            if (handler.Exec is { } exec)
            {
                var result = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest
                {
                    ContainerId = containerId,
                    Cmd = { exec.Command ?? [] },
                    Timeout = Math.Max(1, timeoutSeconds),
                }, cancellationToken: ct);
                return result.ExitCode == 0 ? null
                    : $"Exec lifecycle hook ({string.Join(" ", exec.Command ?? [])}) for Container \"{container?.Name}\" failed - error: command '{string.Join(" ", exec.Command ?? [])}' exited with {result.ExitCode}: {result.Stdout.ToStringUtf8()}{result.Stderr.ToStringUtf8()}";
            }
            if (handler.HttpGet is { } http && container != null)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, timeoutSeconds)));
                var host = http.Host is { Length: > 0 } h ? h : podIp ?? "127.0.0.1";
                var path = http.Path is { Length: > 0 } p ? (p.StartsWith('/') ? p : "/" + p) : "/";
                using var response = await Http.GetAsync($"http://{host}:{ProbeManager.ResolvePort(http.Port, container)}{path}", cts.Token);
                return response.IsSuccessStatusCode ? null : $"HTTP lifecycle hook ({path}) for Container \"{container.Name}\" failed - error: received status code {(int)response.StatusCode}";
            }
            if (handler.Sleep is { } sleep)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(sleep.Seconds, timeoutSeconds)), ct);
            }
            return null;
        }
        catch (Grpc.Core.RpcException e)
        {
            return $"Exec lifecycle hook for Container \"{container?.Name}\" failed - error: {e.Status.Detail}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return $"HTTP lifecycle hook for Container \"{container?.Name}\" failed - error: {e.Message}";
        }
    }
}
