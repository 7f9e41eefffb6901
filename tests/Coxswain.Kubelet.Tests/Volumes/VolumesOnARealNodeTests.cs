using Coxswain.Kubelet.Tests.Harness;

namespace Coxswain.Kubelet.Tests.Volumes;

/// <summary>
/// A whole cluster with its real node in a test network namespace: a busybox pod sees its configMap, secret,
/// downwardAPI and emptyDir volumes and its env through the real kubelet, and reports them in its termination message;
/// a pod whose configMap is missing stays ContainerCreating with upstream's FailedMount event, and one whose secret
/// lacks a key waits with CreateContainerConfigError.
/// </summary>
public sealed class VolumesOnARealNodeTests
{
    private const string Pods = """
        apiVersion: v1
        kind: Pod
        metadata: {name: reader, labels: {app: reader}}
        spec:
          restartPolicy: Never
          containers:
          - name: app
            image: busybox
            command: [sh, -c, '(echo "env=$MODE/$PASS/$ME"; echo "cfg=$(cat /etc/app/mode)"; echo "secret=$(cat /etc/creds/password)"; echo "labels=$(cat /etc/info/labels)"; touch /scratch/ok && echo scratch=ok; echo "mem=$(grep " /mem " /proc/mounts | cut -d" " -f3)") > /dev/termination-log']
            env:
            - name: MODE
              valueFrom: {configMapKeyRef: {name: app, key: mode}}
            - name: PASS
              valueFrom: {secretKeyRef: {name: creds, key: password}}
            - name: ME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
            volumeMounts:
            - {name: cfg, mountPath: /etc/app}
            - {name: creds, mountPath: /etc/creds}
            - {name: info, mountPath: /etc/info}
            - {name: scratch, mountPath: /scratch}
            - {name: mem, mountPath: /mem}
          volumes:
          - {name: cfg, configMap: {name: app}}
          - {name: creds, secret: {secretName: creds}}
          - name: info
            downwardAPI:
              items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
          - {name: scratch, emptyDir: {}}
          - {name: mem, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: broken}
        spec:
          containers:
          - {name: app, image: busybox, command: [sleep, "3600"], volumeMounts: [{name: cfg, mountPath: /etc/app}]}
          volumes:
          - {name: cfg, configMap: {name: nope}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: unconfigured}
        spec:
          containers:
          - name: app
            image: busybox
            command: [sleep, "3600"]
            env:
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: creds, key: token}}
        """;

    [Fact]
    public async Task PodSeesItsVolumesAndEnvAndAMissingConfigMapIsAFailedMount()
    {
        await using var host = await NodeHost.StartAsync(passCgroupRoot: true);
        var kubectl = host.Kubectl();
        await host.UntilNodeReadyAsync(node: null);
        await kubectl.OkAsync("create configmap app --from-literal=mode=fast");
        await kubectl.OkAsync("create secret generic creds --from-literal=password=s3cret");
        await kubectl.OkAsync("apply -f -", Pods);

        var deadline = DateTime.UtcNow.AddMinutes(4);
        while ((await kubectl.RunAsync("get pod reader -o jsonpath={.status.phase}")).Stdout.Trim() is not ("Succeeded" or "Failed"))
        {
            Assert.True(DateTime.UtcNow < deadline, "reader did not finish:\n" + await kubectl.RunAsync("describe pod reader") + host.Output);
            await Task.Delay(1000);
        }
        // Until the kubelet serves logs, the container reports through its termination-message file.
        Assert.Equal("Succeeded", (await kubectl.OkAsync("get pod reader -o jsonpath={.status.phase}")).Trim());
        var logs = await kubectl.OkAsync("get pod reader -o jsonpath={.status.containerStatuses[0].state.terminated.message}");
        Assert.Contains("env=fast/s3cret/reader", logs, StringComparison.Ordinal);
        Assert.Contains("cfg=fast", logs, StringComparison.Ordinal);
        Assert.Contains("secret=s3cret", logs, StringComparison.Ordinal);
        Assert.Contains("labels=app=\"reader\"", logs, StringComparison.Ordinal);
        Assert.Contains("scratch=ok", logs, StringComparison.Ordinal);
        Assert.Contains("mem=tmpfs", logs, StringComparison.Ordinal);

        var events = "";
        while (!events.Contains("MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "no FailedMount event:\n" + events + host.Output);
            await Task.Delay(1000);
            events = (await kubectl.RunAsync("get events --field-selector involvedObject.name=broken")).Stdout;
        }
        Assert.Contains("FailedMount", events, StringComparison.Ordinal);
        Assert.Equal("ContainerCreating", (await kubectl.OkAsync("get pod broken -o jsonpath={.status.containerStatuses[0].state.waiting.reason}")).Trim());

        var waiting = "";
        while (!waiting.StartsWith("CreateContainerConfigError", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "unconfigured is not waiting on its config:\n" + waiting + host.Output);
            await Task.Delay(1000);
            waiting = (await kubectl.RunAsync("get pod unconfigured -o jsonpath={.status.containerStatuses[0].state.waiting.reason}:{.status.containerStatuses[0].state.waiting.message}")).Stdout.Trim();
        }
        Assert.Equal("CreateContainerConfigError:couldn't find key token in Secret default/creds", waiting);
    }

    [Fact]
    public async Task RunningContainerSeesAConfigMapUpdate()
    {
        await using var host = await NodeHost.StartAsync(passCgroupRoot: true);
        var kubectl = host.Kubectl();
        await host.UntilNodeReadyAsync(node: null);
        await kubectl.OkAsync("create configmap live --from-literal=mode=fast");
        await kubectl.OkAsync("apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: watcher}
            spec:
              restartPolicy: Never
              containers:
              - name: app
                image: busybox
                command: [sh, -c, 'cat /etc/app/mode > /tmp/first; until grep -q slow /etc/app/mode; do sleep 1; done; echo "$(cat /tmp/first)->$(cat /etc/app/mode)" > /dev/termination-log']
                volumeMounts: [{name: cfg, mountPath: /etc/app}]
              volumes:
              - {name: cfg, configMap: {name: live}}
            """);
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while ((await kubectl.RunAsync("get pod watcher -o jsonpath={.status.phase}")).Stdout.Trim() != "Running")
        {
            Assert.True(DateTime.UtcNow < deadline, "watcher did not start:\n" + await kubectl.RunAsync("describe pod watcher") + host.Output);
            await Task.Delay(500);
        }

        await kubectl.OkAsync("""patch configmap live -p '{"data":{"mode":"slow"}}'""");

        while ((await kubectl.RunAsync("get pod watcher -o jsonpath={.status.phase}")).Stdout.Trim() != "Succeeded")
        {
            Assert.True(DateTime.UtcNow < deadline, "the update did not reach the container:\n" + await kubectl.RunAsync("describe pod watcher") + host.Output);
            await Task.Delay(1000);
        }
        Assert.Equal("fast->slow", (await kubectl.OkAsync("get pod watcher -o jsonpath={.status.containerStatuses[0].state.terminated.message}")).Trim());
    }
}
