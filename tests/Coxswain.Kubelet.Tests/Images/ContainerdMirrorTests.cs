using System.Diagnostics;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Images;
using Coxswain.Kubelet.Runtime;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>
/// containerd, configured as the agent configures it, pulls the seed images through the hosts.toml mirror (CRI
/// PullImage with the short name, as the kubelet does) and runs them. Everything runs in a network
/// namespace this test creates (entered with nsenter: `ip netns exec` would remount /sys without the cgroup
/// hierarchies runc needs), and is removed afterwards, also when the test fails.
/// </summary>
public sealed class ContainerdMirrorTests : IAsyncLifetime
{
    private const string RegistryInNamespace = "127.0.0.1:5000";
    private static readonly string[] ContainerdRunDirs = ["/run/containerd/runc/k8s.io", "/run/containerd/runc", "/run/containerd/fifo", "/run/containerd/s", "/run/containerd"];

    private readonly string _id = "cox-img-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _dir = ImageTools.TempDir("cox-containerd-");
    private readonly string[] _runDirsBefore = ContainerdRunDirs.Where(Directory.Exists).ToArray();
    private readonly List<Process> _daemons = [];

    private AgentPaths Paths => new(_dir);
    private string Socket => Paths.ContainerdSocket;
    private string HostsDir => Paths.RegistryHostsDir;

    public async Task InitializeAsync()
    {
        await MustAsync("ip", "netns", "add", _id);
        await MustAsync("ip", "netns", "exec", _id, "ip", "link", "set", "lo", "up");
    }

    /// <summary>A registry holding the seed images and containerd, both in the namespace; returns the seeds.</summary>
    private async Task<IReadOnlyList<SeedImage>> StartRegistryAndContainerdAsync()
    {
        var seeds = await SeedImages.BuildAsync(PauseBinary.Path);
        foreach (var seed in seeds)
        {
            seed.Image.WriteArchive(Path.Combine(_dir, seed.ArchiveFileName), seed.Name);
        }
        var registryDir = Path.Combine(_dir, "registry");
        Directory.CreateDirectory(registryDir);
        await File.WriteAllTextAsync(Path.Combine(registryDir, "config.yml"), LocalRegistry.ConfigYaml(Path.Combine(registryDir, "data"), RegistryInNamespace));
        StartDaemon("docker-registry", "serve", Path.Combine(registryDir, "config.yml"));
        Directory.CreateDirectory(Paths.ContainerdDir);
        Directory.CreateDirectory(HostsDir);
        Directory.CreateDirectory(Paths.CniConfDir);
        await File.WriteAllTextAsync(Paths.ContainerdConfig, ContainerdConfig.Render(Paths, SeedImages.PauseImageName));
        StartDaemon("containerd", "--config", Paths.ContainerdConfig);
        await EventuallyAsync(() => InNamespaceAsync("busybox", "wget", "-q", "-O-", $"http://{RegistryInNamespace}/v2/"));
        await EventuallyAsync(() => InNamespaceAsync("ctr", "-a", Socket, "version"));
        await MustAsync("nsenter", $"--net=/run/netns/{_id}", "skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
            "oci-archive:" + Path.Combine(_dir, "busybox.oci.tar"), $"docker://{RegistryInNamespace}/library/busybox:latest");
        await MustAsync("nsenter", $"--net=/run/netns/{_id}", "skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
            "oci-archive:" + Path.Combine(_dir, "pause.oci.tar"), $"docker://{RegistryInNamespace}/pause:3.10");

        return seeds;
    }

    [Fact]
    public async Task ContainerdPullsSeedImagesThroughTheMirrorAndRunsThem()
    {
        var seeds = await StartRegistryAndContainerdAsync();
        using var cri = CriClient.Connect(Socket);
        // Without hosts.toml the pull would go to registry-1.docker.io, which this namespace cannot reach.
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await cri.Images.PullImageAsync(Pull("busybox")));

        RegistryHosts.Write(HostsDir, RegistryInNamespace);
        var busybox = await cri.Images.PullImageAsync(Pull("busybox"));
        var pause = await cri.Images.PullImageAsync(Pull(SeedImages.PauseImageName));

        Assert.Equal(seeds[1].Image.Id, busybox.ImageRef);
        Assert.Equal(seeds[0].Image.Id, pause.ImageRef);
        var status = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = "docker.io/library/busybox:latest" } });
        Assert.Contains("docker.io/library/busybox:latest", status.Image.RepoTags);
        Assert.Contains($"docker.io/library/busybox@{seeds[1].Image.Manifest.Digest}", status.Image.RepoDigests);

        var run = await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "run", "--rm", "--cgroup", "/" + _id,
            "docker.io/library/busybox:latest", _id, "sh", "-c", "echo hi from busybox; ls -ld /tmp; grep nobody /etc/passwd; which httpd");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("hi from busybox", run.Stdout);
        Assert.Contains("drwxrwxrwt", run.Stdout);
        Assert.Contains("nobody:x:65534", run.Stdout);
        Assert.Contains("/bin/httpd", run.Stdout);
    }

    [Fact]
    public async Task AnImageBuiltByCoxRunsFromTheShortNameAPodWouldUse()
    {
        await StartRegistryAndContainerdAsync();
        var context = Path.Combine(_dir, "context");
        Directory.CreateDirectory(context);
        await File.WriteAllTextAsync(Path.Combine(context, "hello.txt"), "hello from the build context\n");
        await File.WriteAllTextAsync(Path.Combine(context, "Containerfile"), """
            FROM busybox
            COPY hello.txt /app/hello.txt
            RUN echo "built by RUN" > /app/run.txt
            WORKDIR /app
            ENV GREETING=hi
            CMD ["sh", "-c", "echo $GREETING from $(pwd); cat hello.txt run.txt"]
            """);

        var build = await InNamespaceAsync("dotnet", ApiServer.Tests.Harness.CoxServer.CoxDll, "image", "build", "-t", "myapp:1",
            "--registry", RegistryInNamespace, "--data-dir", Path.Combine(_dir, "cox"), context);
        Assert.True(build.ExitCode == 0, build.Stdout + build.Stderr);

        RegistryHosts.Write(HostsDir, RegistryInNamespace);
        using var cri = CriClient.Connect(Socket);
        await cri.Images.PullImageAsync(Pull("myapp:1"));
        var run = await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "run", "--rm", "--cgroup", "/" + _id, "docker.io/library/myapp:1", _id);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal("hi from /app\nhello from the build context\nbuilt by RUN\n", run.Stdout.Replace("\r\n", "\n"));
    }

    private static PullImageRequest Pull(string image) => new() { Image = new ImageSpec { Image = image } };

    private void StartDaemon(string file, params string[] args)
    {
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[$"--net=/run/netns/{_id}", file, .. args])
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add(process);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> InNamespaceAsync(params string[] args) =>
        ImageTools.RunAsync("nsenter", [$"--net=/run/netns/{_id}", .. args]);

    private static async Task MustAsync(string file, params string[] args)
    {
        var (code, stdout, stderr) = await ImageTools.RunAsync(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)}: {stdout}{stderr}");
    }

    private static async Task EventuallyAsync(Func<Task<(int ExitCode, string Stdout, string Stderr)>> check)
    {
        var last = (ExitCode: -1, Stdout: "", Stderr: "");
        for (var attempt = 0; attempt < 300; attempt++)
        {
            last = await check();
            if (last.ExitCode == 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"not ready: {last.Stdout}{last.Stderr}");
    }

    public async Task DisposeAsync()
    {
        if (File.Exists(Socket))
        {
            // A task left by a failed run keeps its shim alive after containerd exits: end it first.
            await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "task", "kill", "-s", "SIGKILL", _id);
            await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "task", "delete", "-f", _id);
            await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "container", "delete", _id);
        }
        foreach (var daemon in _daemons)
        {
            await StopAsync(daemon);
        }
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_dir, StringComparison.Ordinal)).Reverse())
        {
            await ImageTools.RunAsync("umount", "-l", mount);
        }
        await ImageTools.RunAsync("ip", "netns", "del", _id);
        foreach (var cgroup in Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, _id)).Where(Directory.Exists))
        {
            Directory.Delete(cgroup);
        }
        foreach (var dir in ContainerdRunDirs.Except(_runDirsBefore).Where(Directory.Exists))
        {
            if (!Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task StopAsync(Process daemon)
    {
        if (!daemon.HasExited)
        {
            // nsenter execs the daemon, so this PID is the daemon itself.
            await ImageTools.RunAsync("kill", "-TERM", daemon.Id.ToString());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await daemon.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                daemon.Kill();
                await daemon.WaitForExitAsync();
            }
        }
        daemon.Dispose();
    }
}
