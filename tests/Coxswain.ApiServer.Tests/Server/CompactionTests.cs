using System.Net;
using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Server;

/// <summary>After compaction, old revisions answer 410 Gone (reason Expired), as upstream does.</summary>
public sealed class CompactionTests
{
    [Fact]
    public async Task Watch_and_exact_list_at_a_compacted_revision_get_410_Expired()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--compaction-interval", "00:00:01", "--compaction-retain-revisions", "1");
        var kubectl = server.Kubectl();
        await kubectl.OkAsync("create configmap first --from-literal=a=1");
        var oldRv = await kubectl.OkAsync("get configmap first -o jsonpath={.metadata.resourceVersion}");
        for (var i = 0; i < 5; i++)
        {
            await kubectl.OkAsync($"create configmap later-{i} --from-literal=a=1");
        }

        using var http = server.Http();
        // Periodic compaction runs every second; wait until it has passed the old revision.
        HttpResponseMessage list = null!;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            list = await http.GetAsync($"/api/v1/namespaces/default/configmaps?resourceVersion={oldRv}&resourceVersionMatch=Exact");
            if (list.StatusCode == HttpStatusCode.Gone)
            {
                break;
            }
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.Gone, list.StatusCode);
        var listBody = await list.Content.ReadAsStringAsync();
        Assert.Contains("\"reason\":\"Expired\"", listBody);
        Assert.Contains("\"code\":410", listBody);

        // A watch from the compacted revision answers with one ERROR event carrying the 410 Status.
        var watch = await http.GetStringAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={oldRv}&timeoutSeconds=5");
        var line = watch.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
        Assert.StartsWith("{\"type\":\"ERROR\"", line);
        Assert.Contains("\"code\":410", line);
        Assert.Contains("too old resource version", line);

        // The current state is intact.
        var names = await kubectl.OkAsync("get configmaps -o name");
        Assert.Contains("configmap/first", names);
        Assert.Contains("configmap/later-4", names);
    }
}
