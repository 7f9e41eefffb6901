using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// The kubelet's HTTPS server for the API server's pod subresources: upstream's paths
/// <c>/containerLogs/{ns}/{pod}/{container}</c>, <c>/exec/...</c>, <c>/attach/...</c> and
/// <c>/portForward/{ns}/{pod}</c>. Known deviation: no authentication or authorization of the
/// caller yet (upstream checks a client certificate or token through the API server's
/// SubjectAccessReview); anyone who reaches the port can exec into pods.
/// </summary>
public sealed class KubeletServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KubeletServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port listened on (the configured one, or the one picked for 0).</summary>
    public int Port { get; }

    public static async Task<KubeletServer> StartAsync(
        KubeletServerOptions options, IContainerLocator locator, IStreamingRuntime runtime, ILoggerFactory loggerFactory, CancellationToken ct = default)
    {
        var certificate = ServingCertificate.Create(options.BindAddress, options.CertificateNames);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentUpgradedConnections = null;
            k.Listen(options.BindAddress, options.Port, listen =>
            {
                // Upgrades (exec, attach, port-forward) need HTTP/1.1.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var handlers = new StreamingHandlers(locator, runtime, loggerFactory.CreateLogger<KubeletServer>());
        app.Run(handlers.HandleAsync);
        await app.StartAsync(ct);
        var port = options.Port;
        if (port == 0)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        }
        return new KubeletServer(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
    }
}
