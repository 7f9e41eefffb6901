using System.Net;
using System.Text.RegularExpressions;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Server;

/// <summary>/metrics: upstream's request counter, and requests by client program (each component's user agent).</summary>
public sealed partial class MetricsTests
{
    [GeneratedRegex("""^coxswain_apiserver_requests_by_client_total\{client="(?<client>[^"]*)",resource="(?<resource>[^"]*)",subresource="(?<sub>[^"]*)",verb="(?<verb>[^"]*)"\} (?<n>\d+)$""", RegexOptions.Multiline)]
    private static partial Regex ByClient();

    [Fact]
    public async Task Requests_are_counted_by_verb_resource_code_and_client_program()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "1");
        var kubectl = server.Kubectl();
        await kubectl.OkAsync("run web --image=nginx");
        using var client = server.Client();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await client.CoreV1.ReadNamespacedPodAsync("web", "default")).Status?.Phase != "Running")
        {
            Assert.True(DateTime.UtcNow < deadline, "pod web did not reach Running");
            await Task.Delay(200);
        }

        using var http = server.Http();
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("apiserver_request_total{code=\"201\",component=\"apiserver\",group=\"\",resource=\"pods\",scope=\"namespace\",subresource=\"\",verb=\"POST\",version=\"v1\"} 1\n", metrics);
        var byClient = ByClient().Matches(metrics).ToDictionary(
            m => (m.Groups["client"].Value, m.Groups["verb"].Value, m.Groups["resource"].Value, m.Groups["sub"].Value),
            m => long.Parse(m.Groups["n"].Value));
        Assert.Equal(1, byClient[("kubectl", "POST", "pods", "")]);
        Assert.Equal(1, byClient[("kube-scheduler", "POST", "pods", "binding")]);
        Assert.True(byClient.Keys.Any(k => k is ("kubelet", "PATCH" or "PUT", "pods", "status")), "the kubelet's status writes are counted");
        // Watches are counted when they end; the initial lists are there already: the shared informers' one, and
        // the garbage collector's metadata informer (its own, as upstream's).
        Assert.Equal(2, byClient[("kube-controller-manager", "LIST", "pods", "")]);

        // The program name is also the managedFields manager of each component's writes.
        var pod = await client.CoreV1.ReadNamespacedPodAsync("web", "default");
        Assert.Contains(pod.Metadata.ManagedFields, m => m.Manager == "kubelet" && m.Subresource == "status");

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var anonymous = new HttpClient(handler) { BaseAddress = new Uri(server.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }
}
