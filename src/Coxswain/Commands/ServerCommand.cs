using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Coxswain.ApiServer;
using Microsoft.Extensions.Logging;

namespace Coxswain.Commands;

/// <summary>`cox server`: runs the control plane until SIGINT or SIGTERM.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = CommonOptions.DataDir();
        var port = new Option<int>("--port") { Description = "HTTPS port of the API server (0 picks a free one)", DefaultValueFactory = _ => 6443 };
        var bind = new Option<string>("--bind-address") { Description = "Address the API server listens on", DefaultValueFactory = _ => "127.0.0.1" };
        var compactionInterval = new Option<TimeSpan>("--compaction-interval") { Description = "How often old revisions of the store are compacted away (like kube-apiserver's --etcd-compaction-interval)", DefaultValueFactory = _ => TimeSpan.FromMinutes(5) };
        var compactionRetain = new Option<long>("--compaction-retain-revisions") { Description = "How many revisions of history compaction keeps at least", DefaultValueFactory = _ => 1000 };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level printed", DefaultValueFactory = _ => LogLevel.Information };
        var command = new Command("server", "Run a single-node control plane (API server on an embedded SQLite store)")
        {
            dataDir, port, bind, compactionInterval, compactionRetain, logLevel,
        };
        foreach (var option in ServerComponents.Options)
        {
            command.Options.Add(option);
        }
        LocalNode.Kubelet.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(bind), out var address))
            {
                await Console.Error.WriteLineAsync($"--bind-address: not an IP address: {parse.GetValue(bind)}");
                return 2;
            }
            var options = new ApiServerOptions
            {
                DataDir = Path.GetFullPath(parse.GetValue(dataDir)!),
                Port = parse.GetValue(port),
                BindAddress = address,
                CompactionInterval = parse.GetValue(compactionInterval),
                CompactionRetainRevisions = parse.GetValue(compactionRetain),
            };
            return await RunAsync(options, parse.GetValue(logLevel), ServerComponents.Read(parse, options.DataDir));
        });
        return command;
    }

    private static async Task<int> RunAsync(ApiServerOptions options, LogLevel level, ServerComponents.Settings components)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            // With this logger enabled ASP.NET Core starts an Activity and a log scope for every request (~5% of a GET's CPU).
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            }));
        var log = loggerFactory.CreateLogger("cox");
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

        var started = Stopwatch.StartNew();
        ApiServerHost host;
        try
        {
            host = await ApiServerHost.StartAsync(options, loggerFactory, stop.Token);
        }
        catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            log.LogError("cannot listen on {Address}:{Port}: the port is in use", options.BindAddress, options.Port);
            return 1;
        }
        log.LogInformation("API server ready at {Url} in {Ms} ms", host.Url, started.ElapsedMilliseconds);
        var clients = ServerComponents.Start(host.KubeconfigPath, components, loggerFactory);
        Console.Out.WriteLine($"Coxswain is running. Point kubectl at it with:\n  export KUBECONFIG={host.KubeconfigPath}\n  kubectl get namespaces");
        await Console.Out.FlushAsync();

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        log.LogInformation("shutting down");
        await clients.DisposeAsync();
        await host.DisposeAsync();
        log.LogInformation("stopped");
        return 0;
    }
}
