namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>One server shared by the tests of a collection; each test works in its own namespace.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public CoxServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await CoxServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A fresh namespace name for one test.</summary>
    public static string NewNamespace(string prefix = "t") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}

[CollectionDefinition(Name)]
public sealed class SharedServer : ICollectionFixture<ServerFixture>
{
    public const string Name = "shared cox server";
}
