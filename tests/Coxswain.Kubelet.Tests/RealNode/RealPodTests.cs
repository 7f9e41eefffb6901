using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>Pod lifecycle on a real node, checked with kubectl and the official client as a user would.</summary>
public sealed class RealPodTests(RealCluster cluster) : IClassFixture<RealCluster>
{
    [Fact]
    public async Task ABusyboxPodRunsWithAnIpFromTheNodesPodCidrAndIsDeletedGracefully()
    {
        var ns = await cluster.NamespaceAsync("run");
        await cluster.Kubectl.OkAsync($"-n {ns} run web --image=busybox --restart=Never -- httpd -f -p 8080 -h /etc");
        var pod = await cluster.WaitForPodAsync(ns, "web", p => p.Status?.Phase == "Running", "Running");
        var node = (await cluster.Kubectl.OkAsync($"get node {RealCluster.NodeName} -o jsonpath={{.spec.podCIDR}}")).Trim();
        Assert.StartsWith(node[..node.LastIndexOf('.')] + ".", pod.Status.PodIP);
        Assert.Equal(Harness.NodeHost.NodeIp, pod.Status.HostIP);
        var container = Assert.Single(pod.Status.ContainerStatuses);
        Assert.True(container.Ready);
        Assert.Equal("docker.io/library/busybox:latest", container.Image);
        Assert.StartsWith("containerd://", container.ContainerID);
        Assert.StartsWith("docker.io/library/busybox@sha256:", container.ImageID);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        var table = await cluster.Kubectl.OkAsync($"-n {ns} get pod web --no-headers");
        Assert.Matches(@"^web\s+1/1\s+Running\s+0\s", table);

        // Pods reach beyond their network through one masquerade rule for the node's pod CIDR (in the node's namespace).
        var nat = await cluster.Host.ExecInNetnsAsync("iptables -t nat -S POSTROUTING");
        Assert.Contains($"-s {node} ! -d {node} -m comment --comment \"cox: pods to outside the pod network\" -j MASQUERADE", nat.Stdout);

        // The pod's IP answers inside the node's network; /etc/hostname is the pod's name.
        using var http = cluster.Host.Http();
        Assert.Equal("web", (await http.GetStringAsync($"http://{pod.Status.PodIP}:8080/hostname")).Trim());

        // The same container through the node's CRI socket: stats and a synchronous exec.
        using (var cri = Coxswain.Kubelet.Cri.CriClient.Connect(new Coxswain.Kubelet.Runtime.AgentPaths(Path.Combine(cluster.Host.DataDir, "agent")).ContainerdSocket))
        {
            var id = container.ContainerID["containerd://".Length..];
            var stats = await cri.Runtime.ContainerStatsAsync(new Coxswain.Kubelet.Cri.V1.ContainerStatsRequest { ContainerId = id });
            Assert.True(stats.Stats.Memory.WorkingSetBytes.Value > 0);
            var exec = await cri.Runtime.ExecSyncAsync(new Coxswain.Kubelet.Cri.V1.ExecSyncRequest { ContainerId = id, Cmd = { "cat", "/etc/hostname" }, Timeout = 10 });
            Assert.Equal(0, exec.ExitCode);
            Assert.Equal("web", exec.Stdout.ToStringUtf8().Trim());
        }

        await cluster.Kubectl.OkAsync($"-n {ns} delete pod web --wait=true --timeout=60s");
        Assert.Contains("No resources found", (await cluster.Kubectl.RunAsync($"-n {ns} get pods")).Stderr);
    }

    [Fact]
    public async Task ACrashingContainerIsRestartedWithBackOffAndCountsRestarts()
    {
        var ns = await cluster.NamespaceAsync("crash");
        await cluster.Kubectl.OkAsync($"-n {ns} run crash --image=busybox -- sh -c 'echo dying; exit 3'");
        var pod = await cluster.WaitForPodAsync(ns, "crash", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount >= 2
            && p.Status.ContainerStatuses[0].State?.Waiting?.Reason == "CrashLoopBackOff", "two restarts, then CrashLoopBackOff");
        var status = pod.Status.ContainerStatuses[0];
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
        Assert.Contains("back-off", status.State.Waiting.Message);
        Assert.False(status.Ready);
        var table = await cluster.Kubectl.OkAsync($"-n {ns} get pod crash --no-headers");
        Assert.Matches(@"^crash\s+0/1\s+CrashLoopBackOff\s+[2-9] \(\d+s ago\)", table);
        var events = await cluster.Kubectl.OkAsync($"-n {ns} get events --field-selector reason=BackOff");
        Assert.Contains("Back-off restarting failed container crash", events);
        // The run that crashed printed before it died: logs of it, with and without --previous.
        Assert.Equal("dying", (await cluster.Kubectl.OkAsync($"-n {ns} logs crash --previous")).Trim());
        Assert.Equal("dying", (await cluster.Kubectl.OkAsync($"-n {ns} logs crash")).Trim());
    }

    [Fact]
    public async Task AContainerOverItsMemoryLimitIsOomKilled()
    {
        var ns = await cluster.NamespaceAsync("oom");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: hog}
            spec:
              restartPolicy: Never
              containers:
              - name: hog
                image: busybox
                command: ["sh", "-c", "head -c 200m /dev/zero | tail > /dev/null"]
                resources: {limits: {memory: 20Mi}}
            """);
        var pod = await cluster.WaitForPodAsync(ns, "hog", p => p.Status?.Phase == "Failed", "Failed");
        var terminated = pod.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal("OOMKilled", terminated.Reason);
        Assert.Equal(137, terminated.ExitCode);
        Assert.Equal("Burstable", pod.Status.QosClass);
        Assert.Matches(@"^hog\s+0/1\s+OOMKilled\s+0\s", (await cluster.Kubectl.OkAsync($"-n {ns} get pod hog --no-headers")));
    }

    [Fact]
    public async Task AMissingImageShowsErrImagePullThenImagePullBackOffWithEvents()
    {
        var ns = await cluster.NamespaceAsync("pull");
        await cluster.Kubectl.OkAsync($"-n {ns} run ghost --image=no-such-image:1");
        await cluster.WaitForPodAsync(ns, "ghost", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff", "ImagePullBackOff");
        var events = (await cluster.Kubectl.OkAsync($"-n {ns} get events"));
        Assert.Contains("Failed to pull image \"no-such-image:1\"", events);
        Assert.Contains("Error: ErrImagePull", events);
        Assert.Contains("Back-off pulling image \"no-such-image:1\"", events);
        var pod = await cluster.PodAsync(ns, "ghost");
        Assert.Equal("Pending", pod.Status.Phase);
        var logs = await cluster.Kubectl.RunAsync($"-n {ns} logs ghost");
        Assert.NotEqual(0, logs.ExitCode);
        // Upstream's words for ImagePullBackOff, or for ErrImagePull while a retry is under way.
        Assert.Matches("container \"ghost\" in pod \"ghost\" is waiting to start: (trying and failing to pull image|image can't be pulled)", logs.Stderr);
    }

    [Fact]
    public async Task ABadCommandFailsTheContainerWithTheRuntimesMessage()
    {
        var ns = await cluster.NamespaceAsync("badcmd");
        await cluster.Kubectl.OkAsync($"-n {ns} run bad --image=busybox --restart=Never --command -- /no/such/binary");
        var pod = await cluster.WaitForPodAsync(ns, "bad", p => p.Status?.Phase == "Failed", "Failed");
        var terminated = pod.Status.ContainerStatuses[0].State.Terminated;
        Assert.NotEqual(0, terminated.ExitCode);
        Assert.Contains("no such file", (terminated.Message ?? "") + (terminated.Reason ?? ""), StringComparison.OrdinalIgnoreCase);
        // The node is fine: the next pod runs.
        await cluster.Kubectl.OkAsync($"-n {ns} run good --image=busybox --restart=Never -- sleep 3600");
        await cluster.WaitForPodAsync(ns, "good", p => p.Status?.Phase == "Running", "Running");
    }

    [Fact]
    public async Task APodAskingForMoreMemoryThanTheNodeHasStaysPendingWithTheReason()
    {
        var ns = await cluster.NamespaceAsync("big");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: big}
            spec:
              containers: [{name: big, image: busybox, resources: {requests: {memory: 4000Gi}}}]
            """);
        var pod = await cluster.WaitForPodAsync(ns, "big", p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true, "unschedulable");
        Assert.Contains("Insufficient memory", pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        Assert.Null(pod.Spec.NodeName);
    }

    [Fact]
    public async Task InitContainersRunInOrderBeforeTheAppContainer()
    {
        var ns = await cluster.NamespaceAsync("init");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: staged}
            spec:
              volumes: [{name: work, emptyDir: {}}]
              initContainers:
              - {name: first, image: busybox, command: ["sh", "-c", "echo one > /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              - {name: second, image: busybox, command: ["sh", "-c", "echo two >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c", "cat /work/order > /dev/termination-log; exit 0"]
                volumeMounts: [{name: work, mountPath: /work}]
              restartPolicy: Never
            """);
        var pod = await cluster.WaitForPodAsync(ns, "staged", p => p.Status?.Phase == "Succeeded", "Succeeded");
        Assert.All(pod.Status.InitContainerStatuses, s => Assert.Equal("Completed", s.State.Terminated.Reason));
        Assert.Equal("one\ntwo\n", pod.Status.ContainerStatuses[0].State.Terminated.Message);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Initialized" && c.Status == "True");
    }

    [Fact]
    public async Task ProbesRestartAnUnhealthyContainerAndKeepAnUnreadyOneOutOfReady()
    {
        var ns = await cluster.NamespaceAsync("probe");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: sick}
            spec:
              containers:
              - name: sick
                image: busybox
                command: ["sh", "-c", "touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 3600"]
                livenessProbe: {exec: {command: ["cat", "/tmp/alive"]}, periodSeconds: 1, failureThreshold: 2}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: shy}
            spec:
              containers:
              - name: shy
                image: busybox
                command: ["sleep", "3600"]
                readinessProbe: {exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 1}
            """);
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: server}
            spec:
              containers:
              - name: server
                image: busybox
                command: ["sh", "-c", "mkdir /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"]
                ports: [{name: http, containerPort: 8080}]
                startupProbe: {exec: {command: ["test", "-f", "/www/healthz"]}, periodSeconds: 1, failureThreshold: 30}
                readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
                livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
            """);
        var sick = await cluster.WaitForPodAsync(ns, "sick", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount >= 1, "a restart");
        Assert.Matches(@"^sick\s+\d/1\s+\w+\s+[1-9]", (await cluster.Kubectl.OkAsync($"-n {ns} get pod sick --no-headers")));
        var events = (await cluster.Kubectl.OkAsync($"-n {ns} get events"));
        Assert.Contains("Liveness probe failed", events);
        Assert.Contains("Container sick failed liveness probe, will be restarted", events);

        var shy = await cluster.WaitForPodAsync(ns, "shy", p => p.Status?.Phase == "Running", "Running");
        await Task.Delay(3000); // several failed readiness probes
        shy = await cluster.PodAsync(ns, "shy");
        Assert.False(shy.Status.ContainerStatuses[0].Ready);
        Assert.Contains(shy.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "ContainersNotReady");
        Assert.Matches(@"^shy\s+0/1\s+Running\s+0\s", (await cluster.Kubectl.OkAsync($"-n {ns} get pod shy --no-headers")));

        // Startup (exec), readiness (httpGet on a named port) and liveness (tcpSocket) all pass: ready, never restarted.
        var server = await cluster.WaitForPodAsync(ns, "server", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.Ready == true, "ready");
        Assert.True(server.Status.ContainerStatuses[0].Started);
        await Task.Delay(2000);
        Assert.Equal(0, (await cluster.PodAsync(ns, "server")).Status.ContainerStatuses[0].RestartCount);
    }

    [Fact]
    public async Task DeletingAPodRunsPreStopThenSigtermWithinTheGracePeriod()
    {
        var ns = await cluster.NamespaceAsync("grace");
        var hooks = Path.Combine(cluster.Host.HarnessDir, "hooks-" + ns);
        Directory.CreateDirectory(hooks);
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: polite}
            spec:
              terminationGracePeriodSeconds: 20
              volumes:
              - name: hooks
                hostPath:
                  path: {{hooks}}
                  type: Directory
              containers:
              - name: polite
                image: busybox
                command: ["sh", "-c", "trap 'echo sigterm >> /hooks/log; exit 0' TERM; echo started >> /hooks/log; while true; do sleep 1; done"]
                volumeMounts:
                - name: hooks
                  mountPath: /hooks
                lifecycle:
                  postStart:
                    exec:
                      command: ["sh", "-c", "echo poststart >> /hooks/log"]
                  preStop:
                    exec:
                      command: ["sh", "-c", "echo prestop >> /hooks/log"]
            """);
        await cluster.WaitForPodAsync(ns, "polite", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.Ready == true, "ready");
        await cluster.Kubectl.OkAsync($"-n {ns} delete pod polite --wait=true --timeout=60s");
        var lines = (await File.ReadAllLinesAsync(Path.Combine(hooks, "log"))).ToList();
        Assert.Contains("poststart", lines);
        // preStop runs before the container gets SIGTERM, and the container exits on SIGTERM (not killed).
        Assert.True(lines.IndexOf("prestop") >= 0 && lines.IndexOf("prestop") < lines.IndexOf("sigterm"), string.Join(",", lines));
        Assert.Equal("started", lines[0]);
    }

    [Fact]
    public async Task APodsCgroupCarriesTheSumOfItsContainersLimits()
    {
        var ns = await cluster.NamespaceAsync("podcg");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: pair}
            spec:
              containers:
              - name: a
                image: busybox
                command: ["sleep", "3600"]
                resources: {limits: {cpu: 200m, memory: 64Mi}}
              - name: b
                image: busybox
                command: ["sleep", "3600"]
                resources: {limits: {cpu: 300m, memory: 32Mi}}
            """);
        var pod = await cluster.WaitForPodAsync(ns, "pair", p => p.Status?.Phase == "Running", "Running");
        Assert.Equal("Guaranteed", pod.Status.QosClass);

        // Guaranteed: the pod cgroup sits right under the node's cgroup root, in every hierarchy.
        var dir = $"{cluster.Host.CgroupRoot.Trim('/')}/pod{pod.Metadata.Uid}";
        string Read(string hierarchy, string file) => File.ReadAllText($"/sys/fs/cgroup/{hierarchy}/{dir}/{file}").Trim();
        Assert.Equal($"{96 * 1024 * 1024}", Read("memory", "memory.limit_in_bytes"));
        Assert.Equal("50000", Read("cpu", "cpu.cfs_quota_us"));
        Assert.Equal("512", Read("cpu", "cpu.shares"));
    }

    [Fact]
    public async Task SecurityContextAndResourceLimitsReachTheContainer()
    {
        var ns = await cluster.NamespaceAsync("sec");
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: locked}
            spec:
              restartPolicy: Never
              securityContext: {runAsUser: 1234, runAsGroup: 2345}
              containers:
              - name: locked
                image: busybox
                command: ["sh", "-c"]
                args:
                - >-
                  echo "uid=$(id -u) gid=$(id -g)" > /dev/termination-log;
                  touch /rootfs-write 2>/dev/null && echo rootfs=writable >> /dev/termination-log || echo rootfs=readonly >> /dev/termination-log;
                  echo "quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) shares=$(cat /sys/fs/cgroup/cpu/cpu.shares)" >> /dev/termination-log;
                  echo "memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" >> /dev/termination-log;
                  echo "pwd=$(pwd)" >> /dev/termination-log
                workingDir: /etc
                securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
                resources:
                  requests: {cpu: 250m, memory: 32Mi}
                  limits: {cpu: 500m, memory: 64Mi}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: caps}
            spec:
              restartPolicy: Never
              containers:
              - name: caps
                image: busybox
                command: ["sh", "-c", "grep CapEff /proc/self/status > /dev/termination-log"]
                securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
              - name: privileged
                image: busybox
                command: ["sh", "-c", "grep CapEff /proc/self/status > /dev/termination-log"]
                securityContext: {privileged: true}
            """);
        var locked = await cluster.WaitForPodAsync(ns, "locked", p => p.Status?.Phase is "Succeeded" or "Failed", "finished");
        var lines = locked.Status.ContainerStatuses[0].State.Terminated.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("uid=1234 gid=2345", lines[0]);
        Assert.Equal("rootfs=readonly", lines[1]);
        Assert.Equal("quota=50000 shares=256", lines[2]);
        Assert.Equal($"memory={64 * 1024 * 1024}", lines[3]);
        Assert.Equal("pwd=/etc", lines[4]);
        Assert.Equal("Burstable", locked.Status.QosClass);

        var caps = await cluster.WaitForPodAsync(ns, "caps", p => p.Status?.Phase is "Succeeded" or "Failed", "finished");
        string CapEff(string container) => caps.Status.ContainerStatuses.Single(c => c.Name == container).State.Terminated.Message.Split(':')[1].Trim();
        Assert.Equal("0000000000000400", CapEff("caps")); // only NET_BIND_SERVICE (bit 10)
        Assert.NotEqual("00000000a80425fb", CapEff("privileged")); // more than the runtime's default set
        Assert.True(Convert.ToUInt64(CapEff("privileged"), 16) > 0xa80425fbUL);
    }

    [Fact]
    public async Task AContainerIgnoringSigtermIsKilledWhenItsGracePeriodEnds()
    {
        var ns = await cluster.NamespaceAsync("stubborn");
        // sh as PID 1 ignores SIGTERM: only the SIGKILL after the 2 s grace period stops it.
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: stubborn}
            spec:
              terminationGracePeriodSeconds: 2
              containers: [{name: stubborn, image: busybox, command: ["sh", "-c", "while true; do sleep 1; done"]}]
            """);
        await cluster.WaitForPodAsync(ns, "stubborn", p => p.Status?.Phase == "Running", "Running");
        using var client = cluster.Host.Client();
        var watch = client.CoreV1.WatchListNamespacedPodAsync(ns);
        await cluster.Kubectl.OkAsync($"-n {ns} delete pod stubborn --wait=false");
        V1ContainerStateTerminated? last = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var (type, pod) in watch.WithCancellation(timeout.Token))
        {
            last = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated ?? last;
            if (type == k8s.WatchEventType.Deleted)
            {
                break;
            }
        }
        Assert.NotNull(last);
        Assert.Equal(137, last.ExitCode);
    }

    [Fact]
    public async Task OnFailureRestartsUntilSuccessAndActiveDeadlineFailsThePod()
    {
        var ns = await cluster.NamespaceAsync("policy");
        // OnFailure: the first run fails (no marker yet in the emptyDir), the restart succeeds and the pod completes.
        await cluster.Kubectl.OkAsync($"-n {ns} apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: retry}
            spec:
              restartPolicy: OnFailure
              volumes: [{name: state, emptyDir: {}}]
              containers:
              - name: retry
                image: busybox
                command: ["sh", "-c", "if [ -f /state/tried ]; then exit 0; fi; touch /state/tried; exit 1"]
                volumeMounts: [{name: state, mountPath: /state}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: deadline}
            spec:
              activeDeadlineSeconds: 3
              terminationGracePeriodSeconds: 1
              containers: [{name: deadline, image: busybox, command: ["sleep", "3600"]}]
            """);
        var retry = await cluster.WaitForPodAsync(ns, "retry", p => p.Status?.Phase == "Succeeded", "Succeeded");
        Assert.Equal(1, retry.Status.ContainerStatuses[0].RestartCount);
        Assert.Equal(1, retry.Status.ContainerStatuses[0].LastState.Terminated.ExitCode);

        var deadline = await cluster.WaitForPodAsync(ns, "deadline", p => p.Status?.Phase == "Failed", "Failed");
        Assert.Equal("DeadlineExceeded", deadline.Status.Reason);
        Assert.Equal("Pod was active on the node longer than the specified deadline", deadline.Status.Message);
        Assert.NotNull(deadline.Status.ContainerStatuses[0].State.Terminated);
    }
}
