using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.Client.Tests.Support;

/// <summary>
/// Tests against a real `cox server` of their own (no scheduler: it would write pod status, which these tests count
/// as events) and an admin client for it.
/// </summary>
public abstract class LiveServerTests(params string[] serverArgs) : IAsyncLifetime
{
    protected CoxServer Server { get; private set; } = null!;
    protected Kubernetes Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CoxServer.StartAsync(null, 0, ["--no-scheduler", .. serverArgs]);
        Api = ClientFactory.FromDataDir(Server.DataDir);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
