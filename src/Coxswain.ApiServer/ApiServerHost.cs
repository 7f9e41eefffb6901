using System.Net;
using Coxswain.Api.Resources;
using Coxswain.ApiServer.Discovery;
using Coxswain.ApiServer.Http;
using Coxswain.ApiServer.Registry;
using Coxswain.ApiServer.Security;
using Coxswain.Storage;
using Coxswain.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coxswain.ApiServer;

/// <summary>
/// A running API server: storage opened, credentials in place, HTTPS (HTTP/1.1 and HTTP/2)
/// listening, built-in namespaces present. Dispose to stop it cleanly.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IStore _store;
    private volatile bool _ready;

    private ApiServerHost(WebApplication app, IStore store, string url, string kubeconfigPath)
    {
        _app = app;
        _store = store;
        Url = url;
        KubeconfigPath = kubeconfigPath;
    }

    /// <summary>https://host:port the server listens on.</summary>
    public string Url { get; }

    public string KubeconfigPath { get; }

    public static async Task<ApiServerHost> StartAsync(ApiServerOptions options, ILoggerFactory loggerFactory, CancellationToken ct = default)
    {
        var log = loggerFactory.CreateLogger<ApiServerHost>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(options.DataDir);
        var credentials = ClusterCredentials.LoadOrCreate(options.DataDir, [options.BindAddress]);
        var store = await SqliteStore.OpenAsync(
            new SqliteStoreOptions(Path.Combine(options.DataDir, "state.db")) { CompactionInterval = options.CompactionInterval, CompactionRetainRevisions = options.CompactionRetainRevisions },
            loggerFactory.CreateLogger<SqliteStore>(), ct);
        log.LogDebug("credentials and storage ready after {Ms} ms", clock.ElapsedMilliseconds);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxConcurrentUpgradedConnections = null;
            k.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(credentials.ServingCertificate);
            });
        });
        var app = builder.Build();

        var catalog = ResourceCatalog.Default;
        var registry = new ObjectRegistry(store, catalog, TimeProvider.System);
        var watches = new WatchHandler(registry, loggerFactory.CreateLogger<WatchHandler>());
        var resources = new ResourceHandler(registry, watches, options);
        ApiServerHost? host = null;
        var discovery = new DiscoveryDocuments(catalog, $"{options.AdvertisedHost}:{options.Port}");
        var handler = new ApiHandler(resources, discovery, new OpenApiEndpoints(new Api.OpenApi.OpenApiDocuments(catalog)), credentials.AdminToken,
            () => host?._ready == true, loggerFactory.CreateLogger<ApiHandler>());
        app.Run(handler.HandleAsync);

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            await store.DisposeAsync();
            throw;
        }
        log.LogDebug("listening after {Ms} ms", clock.ElapsedMilliseconds);
        var port = ActualPort(app, options.Port);
        var url = $"https://{options.AdvertisedHost}:{port}";
        var kubeconfigPath = Kubeconfig.PathIn(options.DataDir);
        await File.WriteAllTextAsync(kubeconfigPath, Kubeconfig.Render(url, credentials.CaPem, credentials.AdminToken), ct);

        await Bootstrap.EnsureBuiltInNamespacesAsync(registry, ct);
        await Bootstrap.EnsureKubernetesServiceAsync(registry, options.AdvertisedHost, port, ct);
        log.LogDebug("built-in namespaces present after {Ms} ms", clock.ElapsedMilliseconds);
        host = new ApiServerHost(app, store, url, kubeconfigPath) { _ready = true };
        return host;
    }

    private static int ActualPort(WebApplication app, int configured)
    {
        if (configured != 0)
        {
            return configured;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the server has no address");
        return new Uri(first.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _ready = false;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }
}
