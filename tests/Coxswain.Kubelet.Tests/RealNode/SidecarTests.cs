namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>Sidecar containers (init containers with restartPolicy Always) on a real node.</summary>
public sealed class SidecarTests(RealCluster cluster) : IClassFixture<RealCluster>
{
    [Fact]
    public async Task SidecarStartsBeforeTheAppServesItAndStopsAfterIt()
    {
        var ns = await cluster.NamespaceAsync("sidecar");
        // Every step appends to a shared log; the sidecar hands the whole log back as its termination message.
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: job}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 10
              volumes:
              - {name: shared, emptyDir: {}}
              initContainers:
              - name: setup
                image: busybox
                command: ["sh", "-c", "echo setup >> /shared/log"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: logger
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "trap 'echo logger-stopped >> /shared/log; cat /shared/log > /dev/termination-log; exit 0' TERM; echo logger-started >> /shared/log; while true; do sleep 0.2; done"]
                readinessProbe:
                  exec: {command: ["grep", "-q", "logger-started", "/shared/log"]}
                  periodSeconds: 1
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c", "grep -q logger-started /shared/log && echo app-saw-logger >> /shared/log; until [ -f /shared/go ]; do sleep 0.2; done; echo app-done >> /shared/log"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """);

        var running = await cluster.WaitForPodAsync(ns, "job", p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "Ready");
        Assert.Equal("Running", running.Status.Phase);
        var logger = running.Status.InitContainerStatuses.Single(s => s.Name == "logger");
        Assert.True(logger.State.Running != null && logger.Started == true && logger.Ready, "logger running, started and ready");
        Assert.Equal("Completed", running.Status.InitContainerStatuses.Single(s => s.Name == "setup").State.Terminated.Reason);
        // kubectl counts the sidecar among the pod's containers.
        var row = (await cluster.Kubectl.OkAsync($"-n {ns} get pod job --no-headers")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("2/2", "Running"), (row[1], row[2]));

        Assert.Contains("app-saw-logger", await cluster.Kubectl.OkAsync($"-n {ns} exec job -c logger -- cat /shared/log"));

        await cluster.Kubectl.OkAsync($"-n {ns} exec job -c app -- touch /shared/go");
        var done = await cluster.WaitForPodAsync(ns, "job", p => p.Status?.Phase is "Succeeded" or "Failed", "finished");
        Assert.Equal("Succeeded", done.Status.Phase);
        var stopped = done.Status.InitContainerStatuses.Single(s => s.Name == "logger").State.Terminated;
        Assert.NotNull(stopped);
        Assert.Equal(["setup", "logger-started", "app-saw-logger", "app-done", "logger-stopped"],
            stopped.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task DeletingThePodStopsTheAppBeforeItsSidecars()
    {
        var ns = await cluster.NamespaceAsync("sidecar-stop");
        var dir = Path.Combine(cluster.Host.HarnessDir, "sidecar-" + ns);
        Directory.CreateDirectory(dir);
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              terminationGracePeriodSeconds: 20
              volumes:
              - name: out
                hostPath: {path: {{dir}}, type: Directory}
              initContainers:
              - name: first
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "trap 'echo first-stopped >> /out/log; exit 0' TERM; while true; do sleep 0.2; done"]
                volumeMounts: [{name: out, mountPath: /out}]
              - name: second
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "trap 'echo second-stopped >> /out/log; exit 0' TERM; while true; do sleep 0.2; done"]
                volumeMounts: [{name: out, mountPath: /out}]
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c", "trap 'sleep 1; echo app-stopped >> /out/log; exit 0' TERM; while true; do sleep 0.2; done"]
                volumeMounts: [{name: out, mountPath: /out}]
            """);
        await cluster.WaitForPodAsync(ns, "web", p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "Ready");

        await cluster.Kubectl.OkAsync($"-n {ns} delete pod web --wait=true --timeout=60s");

        // The app takes a second to stop; the sidecars wait for it, then stop last one first.
        Assert.Equal(["app-stopped", "second-stopped", "first-stopped"], await File.ReadAllLinesAsync(Path.Combine(dir, "log")));
    }

    [Fact]
    public async Task AnExitedSidecarIsRestartedWhateverThePodsRestartPolicy()
    {
        var ns = await cluster.NamespaceAsync("sidecar-restart");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: flaky}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: flaky
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "sleep 1; exit 3"]
              containers:
              - name: app
                image: busybox
                command: ["sleep", "3600"]
            """);

        var pod = await cluster.WaitForPodAsync(ns, "flaky",
            p => p.Status?.InitContainerStatuses?.SingleOrDefault()?.RestartCount >= 1 && p.Status.ContainerStatuses?[0].State?.Running != null,
            "the sidecar restarted beside the running app");
        Assert.Equal("Running", pod.Status.Phase);
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Initialized").Status);
        Assert.Equal(3, pod.Status.InitContainerStatuses[0].LastState.Terminated.ExitCode);
    }
}
