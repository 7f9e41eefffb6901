using System.Net;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Api;

/// <summary>
/// 410 Gone once old revisions are compacted. Needs a way to make the server compact soon:
/// these tests start it with `--compaction-interval 1s --compaction-retain 0`-style flags.
/// </summary>
public sealed partial class CompactionTests
{
    private static async Task<CoxServer> StartCompactingServerAsync() =>
        await CoxServer.StartAsync(null, 0, "--compaction-interval", "1s", "--compaction-retain-revisions", "0");
}
