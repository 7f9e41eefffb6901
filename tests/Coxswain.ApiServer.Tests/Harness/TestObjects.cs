using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>Small builders and assertions shared by the API tests.</summary>
public static class TestObjects
{
    /// <summary>Creates a fresh namespace (through the C# client) and returns its name.</summary>
    public static async Task<string> NewNamespaceAsync(this CoxServer server, string prefix = "t")
    {
        var name = ServerFixture.NewNamespace(prefix);
        using var client = server.Client();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public static V1ConfigMap ConfigMap(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? data = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = data ?? new Dictionary<string, string> { ["k"] = "v" },
    };

    public static V1Deployment Deployment(string name, string image = "nginx:1.25", int replicas = 3) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = image, Ports = [new V1ContainerPort { ContainerPort = 80 }] }] },
            },
        },
    };

    public static V1Pod Pod(string name, string image = "nginx:1.25", string? nodeName = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "app", Image = image }] },
    };

    /// <summary>A Deployment manifest as YAML (for kubectl -f -).</summary>
    public static string DeploymentYaml(string name, string image = "nginx:1.25", int replicas = 2) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels:
            app: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
              - name: nginx
                image: {image}
                ports:
                - containerPort: 80

        """;

    public static string ConfigMapYaml(string name, string value = "v") => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        data:
          k: {value}

        """;

    /// <summary>The status code and Status body of a failed C# client call.</summary>
    public static async Task<(HttpStatusCode Code, V1Status Status)> FailureOf(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        return (e.Response.StatusCode, status);
    }

    /// <summary>Reads a Status body from a raw response, asserting it is one.</summary>
    public static async Task<JsonObject> StatusOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        var node = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("Status", (string?)node["kind"]);
        Assert.Equal("v1", (string?)node["apiVersion"]);
        Assert.Equal("Failure", (string?)node["status"]);
        Assert.Equal((int)expected, (int?)node["code"]);
        return node;
    }

    public static StringContent Json(string json, string contentType = "application/json") =>
        new(json, System.Text.Encoding.UTF8, contentType);

    public static StringContent Json(object value, string contentType = "application/json") =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, contentType);

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(200);
        }
        return await condition();
    }

    /// <summary>Writes a script for KUBE_EDITOR and returns its path.</summary>
    public static string EditorScript(string body)
    {
        var path = Path.Combine(Path.GetTempPath(), "cox-editor-" + Guid.NewGuid().ToString("N")[..8] + ".sh");
        File.WriteAllText(path, "#!/bin/sh\nset -e\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
