using k8s;
using System.Diagnostics;
using System.Net;
using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Server;

/// <summary>Starting, stopping and restarting `cox server`, as an operator does.</summary>
public sealed partial class ServerLifecycleTests
{
    [Fact]
    public async Task Server_starts_with_builtin_namespaces_health_and_version()
    {
        await using var server = await CoxServer.StartAsync();
        var kubectl = server.Kubectl();
        var ns = await kubectl.OkAsync("get namespaces -o name");
        Assert.Equal(["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"],
            ns.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        using var http = server.Http();
        foreach (var path in new[] { "/healthz", "/livez", "/readyz" })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }
        var version = await kubectl.OkAsync("version -o json");
        Assert.Contains("\"minor\": \"32\"", version);
    }

    [Fact]
    public async Task Requests_without_the_admin_token_are_refused_with_401_status()
    {
        await using var server = await CoxServer.StartAsync();
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var anonymous = new HttpClient(handler) { BaseAddress = new Uri(server.Url) };
        var response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"kind\":\"Status\"", body);
        Assert.Contains("\"reason\":\"Unauthorized\"", body);
    }

    [Fact]
    public async Task Kubeconfig_command_prints_the_written_kubeconfig()
    {
        await using var server = await CoxServer.StartAsync();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { CoxServer.CoxDll, "kubeconfig", "--data-dir", server.DataDir })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var printed = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(server.KubeconfigPath), printed);
        Assert.Contains($"server: {server.Url}", printed);
    }

    [Fact]
    public async Task Kill_9_loses_no_acknowledged_write()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "cox-kill-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var server = await CoxServer.StartAsync(dataDir);
            var client = server.Client();
            var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var name = $"cm-{w}-{i}";
                    try
                    {
                        await client.CoreV1.CreateNamespacedConfigMapAsync(
                            new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["i"] = i.ToString() } },
                            "default");
                        acknowledged.Add(name);
                    }
                    catch (Exception) when (stop.IsCancellationRequested || acknowledged.Count > 0)
                    {
                        return;
                    }
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await server.KillAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            await server.DisposeAsync();
            Assert.NotEmpty(acknowledged);

            await using var again = await CoxServer.StartAsync(dataDir);
            var names = (await again.Client().CoreV1.ListNamespacedConfigMapAsync("default")).Items.Select(c => c.Metadata.Name).ToHashSet();
            var lost = acknowledged.Where(a => !names.Contains(a)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged creates lost: {string.Join(", ", lost.Take(10))}");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Sigterm_stops_the_server_cleanly_and_data_survives_restart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "cox-restart-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var server = await CoxServer.StartAsync(dataDir);
            await server.Kubectl().OkAsync("create configmap survivor --from-literal=k=v");
            await server.StopAsync();
            Assert.Equal(0, server.ExitCode);
            await server.DisposeAsync();

            await using var again = await CoxServer.StartAsync(dataDir);
            var value = await again.Kubectl().OkAsync("get configmap survivor -o jsonpath={.data.k}");
            Assert.Equal("v", value);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
