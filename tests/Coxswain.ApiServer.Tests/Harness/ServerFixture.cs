namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>One server shared by the tests of a collection; each test works in its own namespace.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private Kubectl? _kubectl;

    public CoxServer Server { get; private set; } = null!;

    /// <summary>One kubectl (and discovery cache) for the fixture's server.</summary>
    public Kubectl Kubectl => _kubectl ??= Server.Kubectl();

    // API server tests see the API alone: no scheduler writing conditions and events on their pods, no controllers
    // writing status to their deployments or creating pods for their ReplicaSets; only node lifecycle, and garbage
    // collection and namespace finalization, which the delete tests rely on.
    public async Task InitializeAsync() => Server = await CoxServer.StartAsync(null, 0, "--no-scheduler", "--controllers", "nodelifecycle,garbagecollector,namespace");

    public async Task DisposeAsync()
    {
        if (Server.HasExited)
        {
            // The server died under the tests: keep what it printed for the failure report.
            var log = Path.Combine(Path.GetTempPath(), $"cox-died-{Server.Port}-{DateTime.UtcNow:HHmmss}.log");
            await File.WriteAllTextAsync(log, $"exit code {Server.ExitCode}\n{Server.Output}");
            await Console.Error.WriteLineAsync($"cox server on port {Server.Port} died during the tests; its output is in {log}");
        }
        await Server.DisposeAsync();
    }

    /// <summary>A fresh namespace name for one test.</summary>
    public static string NewNamespace(string prefix = "t") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}

[CollectionDefinition(Name)]
public sealed class SharedServer : ICollectionFixture<ServerFixture>
{
    public const string Name = "shared cox server";
}
