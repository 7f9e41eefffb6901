using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Env;
using Coxswain.Kubelet.Volumes;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Env;

/// <summary>
/// Env and volumes over a real `cox server`: objects made with the real kubectl, read through
/// <see cref="ApiPodObjectSource"/>, and changes made with kubectl reaching a configMap volume on update.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ApiPodObjectSourceTests
{
    private static V1Pod Pod() => KubernetesYaml.Deserialize<V1Pod>("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop, uid: api-uid-1}
        spec:
          containers:
          - name: app
            image: busybox
            envFrom:
            - configMapRef: {name: app}
            env:
            - name: PASS
              valueFrom: {secretKeyRef: {name: creds, key: password}}
            - {name: URL, value: "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/$(mode)"}
          volumes:
          - {name: cfg, configMap: {name: app}}
        """);

    [Fact]
    public async Task EnvAndVolumesFollowObjectsMadeWithKubectl()
    {
        await using var server = await CoxServer.StartAsync();
        var kubectl = server.Kubectl();
        await kubectl.OkAsync("create namespace shop");
        await kubectl.OkAsync("-n shop create configmap app --from-literal=mode=fast --from-literal=1st=skipped");
        await kubectl.OkAsync("-n shop create secret generic creds --from-literal=password=s3cret");
        await kubectl.OkAsync("-n shop create service clusterip web --tcp=80:8080");
        var clusterIp = (await kubectl.OkAsync("-n shop get service web -o jsonpath={.spec.clusterIP}")).Trim();
        using var client = server.Client();
        var objects = new ApiPodObjectSource(client);

        Assert.Null(await objects.GetConfigMapAsync("shop", "absent", CancellationToken.None));
        Assert.Null(await objects.GetSecretAsync("shop", "absent", CancellationToken.None));

        var pod = Pod();
        var env = await new ContainerEnv(objects).ResolveAsync(pod, pod.Spec.Containers[0], PodHostInfo.None, CancellationToken.None);
        var vars = env.Vars.ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal("fast", vars["mode"]);
        Assert.Equal("s3cret", vars["PASS"]);
        Assert.Equal($"http://{clusterIp}:80/fast", vars["URL"]);
        Assert.Equal("Keys [1st] from the EnvFrom configMap shop/app were skipped since they are considered invalid environment variable names.", Assert.Single(env.Warnings).Message);

        var root = Directory.CreateTempSubdirectory("cox-volumes-api-").FullName;
        var volumes = new PodVolumes(new PodVolumesOptions(root), objects);
        try
        {
            Assert.Empty(await volumes.SetupAsync(pod, CancellationToken.None));
            var file = Path.Combine(volumes.VolumePath("api-uid-1", pod.Spec.Volumes[0]), "mode");
            Assert.Equal("fast", File.ReadAllText(file));

            await kubectl.OkAsync("""-n shop patch configmap app -p '{"data":{"mode":"slow"}}'""");
            Assert.Empty(await volumes.UpdateAsync(pod, CancellationToken.None));
            Assert.Equal("slow", File.ReadAllText(file));

            await kubectl.OkAsync("-n shop delete configmap app");
            Assert.Equal("configmap \"app\" not found", Assert.Single(await volumes.UpdateAsync(pod, CancellationToken.None)).Message);
            var e = await Assert.ThrowsAsync<ContainerConfigException>(() => new ContainerEnv(objects).ResolveAsync(pod, pod.Spec.Containers[0], PodHostInfo.None, CancellationToken.None));
            Assert.Equal("configmap \"app\" not found", e.Message);
        }
        finally
        {
            await volumes.TeardownAsync("api-uid-1");
            Directory.Delete(root, recursive: true);
        }
    }
}
