using System.Diagnostics;
using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>
/// containerd pulls the seed images through the hosts.toml mirror and runs them. Everything runs in a network
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

    private string Socket => Path.Combine(_dir, "containerd.sock");
    private string HostsDir => Path.Combine(_dir, "certs.d");

    public async Task InitializeAsync()
    {
        await MustAsync("ip", "netns", "add", _id);
        await MustAsync("ip", "netns", "exec", _id, "ip", "link", "set", "lo", "up");
    }

    [Fact]
    public async Task ContainerdPullsSeedImagesThroughTheMirrorAndRunsThem()
    {
        foreach (var seed in await SeedImages.BuildAsync(PauseBinary.Path))
        {
            seed.Image.WriteArchive(Path.Combine(_dir, seed.ArchiveFileName), seed.Name);
        }
        var registryDir = Path.Combine(_dir, "registry");
        Directory.CreateDirectory(registryDir);
        await File.WriteAllTextAsync(Path.Combine(registryDir, "config.yml"), LocalRegistry.ConfigYaml(Path.Combine(registryDir, "data"), RegistryInNamespace));
        StartDaemon("docker-registry", "serve", Path.Combine(registryDir, "config.yml"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "config.toml"), ContainerdConfig());
        StartDaemon("containerd", "--config", Path.Combine(_dir, "config.toml"));
        await EventuallyAsync(() => InNamespaceAsync("busybox", "wget", "-q", "-O-", $"http://{RegistryInNamespace}/v2/"));
        await EventuallyAsync(() => InNamespaceAsync("ctr", "-a", Socket, "version"));
        await MustAsync("nsenter", $"--net=/run/netns/{_id}", "skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
            "oci-archive:" + Path.Combine(_dir, "busybox.oci.tar"), $"docker://{RegistryInNamespace}/library/busybox:latest");
        await MustAsync("nsenter", $"--net=/run/netns/{_id}", "skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
            "oci-archive:" + Path.Combine(_dir, "pause.oci.tar"), $"docker://{RegistryInNamespace}/pause:3.10");

        // Without hosts.toml the pull would go to registry-1.docker.io, which this namespace cannot reach.
        var unmirrored = await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "images", "pull", "docker.io/library/busybox:latest");
        Assert.NotEqual(0, unmirrored.ExitCode);

        RegistryHosts.Write(HostsDir, RegistryInNamespace);
        foreach (var image in new[] { "docker.io/library/busybox:latest", SeedImages.PauseImageName })
        {
            var pull = await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "images", "pull", "--hosts-dir", HostsDir, image);
            Assert.True(pull.ExitCode == 0, pull.Stdout + pull.Stderr);
        }
        var images = await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "images", "ls", "-q");
        Assert.Contains("docker.io/library/busybox:latest", images.Stdout);
        Assert.Contains("registry.k8s.io/pause:3.10", images.Stdout);

        var run = await InNamespaceAsync("ctr", "-a", Socket, "-n", "k8s.io", "run", "--rm", "--cgroup", "/" + _id,
            "docker.io/library/busybox:latest", _id, "sh", "-c", "echo hi from busybox; ls -ld /tmp; grep nobody /etc/passwd; which httpd");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("hi from busybox", run.Stdout);
        Assert.Contains("drwxrwxrwt", run.Stdout);
        Assert.Contains("nobody:x:65534", run.Stdout);
        Assert.Contains("/bin/httpd", run.Stdout);
    }

    private string ContainerdConfig() => $"""
        version = 2
        root = "{_dir}/root"
        state = "{_dir}/state"

        [grpc]
          address = "{Socket}"

        [plugins]
          [plugins."io.containerd.internal.v1.opt"]
            path = "{_dir}/opt"
          [plugins."io.containerd.grpc.v1.cri"]
            sandbox_image = "{SeedImages.PauseImageName}"
            disable_apparmor = true
            restrict_oom_score_adj = true
            netns_mounts_under_state_dir = true
            [plugins."io.containerd.grpc.v1.cri".cni]
              bin_dir = "/usr/lib/cni"
              conf_dir = "{_dir}/net.d"
            [plugins."io.containerd.grpc.v1.cri".registry]
              config_path = "{HostsDir}"

        """;

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
