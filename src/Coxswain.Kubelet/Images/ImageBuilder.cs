using System.Diagnostics;

namespace Coxswain.Kubelet.Images;

/// <summary>
/// `cox image build`: runs buildah (vfs storage, chroot isolation: no daemon, no network namespace needed) on a
/// Containerfile, pushes the result to the local registry under the upstream-normalised name
/// (myapp:1 -> library/myapp:1, so `image: myapp:1` resolves through the docker.io mirror) and removes the local copy.
/// </summary>
public sealed class ImageBuilder(TextWriter output, TextWriter errors, string buildah = "buildah")
{
    private static readonly string[] ContainerfileNames = ["Containerfile", "Dockerfile"];

    /// <summary>Builds and pushes; returns the process exit code (0 on success) after printing progress or the error.</summary>
    public async Task<int> BuildAsync(ImageBuildOptions options, CancellationToken ct = default)
    {
        if (Validate(options) is not var (reference, containerfile))
        {
            return 2;
        }
        using (var registry = new RegistryClient(options.Registry, TimeSpan.FromSeconds(5)))
        {
            if (!await registry.PingAsync(ct))
            {
                await errors.WriteLineAsync($"error: registry {options.Registry} is not reachable: start `cox server` (it runs the local registry) or give --registry HOST:PORT");
                return 1;
            }
        }
        var pushedName = $"{options.Registry}/{reference.Path}:{reference.Tag ?? "latest"}";
        var environment = PrepareWorkDir(options);
        await output.WriteLineAsync($"Building {reference} from {containerfile}");
        string[] build = ["build", "--isolation", "chroot", "--tls-verify=false", "--signature-policy", environment.PolicyPath,
            "--format", "oci", "-f", containerfile, "-t", pushedName, Path.GetFullPath(options.ContextDir)];
        if (await RunAsync(environment, build, ct) is var buildExit and not 0)
        {
            await errors.WriteLineAsync($"error: building {reference} failed (buildah exit code {buildExit}); see buildah's message above");
            return 1;
        }
        try
        {
            var digestFile = Path.Combine(environment.Root, "last-push.digest");
            await output.WriteLineAsync($"Pushing {pushedName}");
            string[] push = ["push", "--tls-verify=false", "--signature-policy", environment.PolicyPath, "--digestfile", digestFile, pushedName, "docker://" + pushedName];
            if (await RunAsync(environment, push, ct) is var pushExit and not 0)
            {
                await errors.WriteLineAsync($"error: pushing {pushedName} failed (buildah exit code {pushExit})");
                return 1;
            }
            var digest = File.Exists(digestFile) ? (await File.ReadAllTextAsync(digestFile, ct)).Trim() : "";
            await output.WriteLineAsync($"Pushed {reference} {digest}".TrimEnd());
            await output.WriteLineAsync($"Use it as `image: {PodImageName(reference, options.Registry)}` in a pod spec.");
            return 0;
        }
        finally
        {
            // The registry holds the result now; keep only the base images as buildah's cache.
            await RunAsync(environment, ["rmi", pushedName], CancellationToken.None, quiet: true);
        }
    }

    private (ImageReference Reference, string Containerfile)? Validate(ImageBuildOptions options)
    {
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(options.Name);
        }
        catch (FormatException e)
        {
            errors.WriteLine($"error: {e.Message}");
            return null;
        }
        if (reference.Digest != null)
        {
            errors.WriteLine($"error: {options.Name}: give a tag, not a digest (the digest comes from the build)");
            return null;
        }
        if (!Directory.Exists(options.ContextDir))
        {
            errors.WriteLine($"error: build context {options.ContextDir} is not a directory");
            return null;
        }
        var containerfile = options.File != null
            ? Path.GetFullPath(options.File)
            : ContainerfileNames.Select(n => Path.Combine(Path.GetFullPath(options.ContextDir), n)).FirstOrDefault(File.Exists);
        if (containerfile == null || !File.Exists(containerfile))
        {
            errors.WriteLine(options.File != null
                ? $"error: {options.File} does not exist"
                : $"error: no Containerfile or Dockerfile in {options.ContextDir} (give -f FILE)");
            return null;
        }
        return (reference, containerfile);
    }

    /// <summary>
    /// The name a pod spec should use to get the pushed image: the short form for Docker Hub names (the docker.io
    /// mirror serves them), the full name for other mirrored registries, else the local registry's own address
    /// (containerd pulls loopback registries over plain HTTP without any hosts.toml).
    /// </summary>
    internal static string PodImageName(ImageReference reference, string registry)
    {
        var tag = ":" + reference.Tag;
        if (reference.Domain == ImageReference.DockerHub)
        {
            return (reference.Path.StartsWith("library/", StringComparison.Ordinal) ? reference.Path["library/".Length..] : reference.Path) + tag;
        }
        return RegistryHosts.DefaultMirroredHosts.Contains(reference.Domain) || reference.Domain == registry
            ? reference.Repository + tag
            : $"{registry}/{reference.Path}{tag}";
    }

    private sealed record BuildahEnvironment(string Root, string StorageRoot, string RunRoot, string RegistriesConf, string PolicyPath);

    private static BuildahEnvironment PrepareWorkDir(ImageBuildOptions options)
    {
        var root = Path.GetFullPath(options.WorkDir);
        var environment = new BuildahEnvironment(root, Path.Combine(root, "storage"), Path.Combine(root, "run"),
            Path.Combine(root, "registries.conf"), Path.Combine(root, "policy.json"));
        Directory.CreateDirectory(environment.StorageRoot);
        Directory.CreateDirectory(environment.RunRoot);
        File.WriteAllText(environment.RegistriesConf, BuildahConfig.RegistriesConf(options.Registry));
        File.WriteAllText(environment.PolicyPath, BuildahConfig.PolicyJson);
        return environment;
    }

    /// <summary>Runs buildah with cox's storage; its output streams through as progress.</summary>
    private async Task<int> RunAsync(BuildahEnvironment environment, string[] args, CancellationToken ct, bool quiet = false)
    {
        var psi = new ProcessStartInfo(buildah) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--root", environment.StorageRoot, "--runroot", environment.RunRoot, "--storage-driver", "vfs", .. args])
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["CONTAINERS_REGISTRIES_CONF"] = environment.RegistriesConf;
        psi.Environment["BUILDAH_ISOLATION"] = "chroot";
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            await errors.WriteLineAsync($"error: cannot run {buildah}: {e.Message} (install Debian's buildah: scripts/install-deps.sh)");
            return 127;
        }
        var stdout = PumpAsync(process.StandardOutput, quiet ? TextWriter.Null : output);
        var stderr = PumpAsync(process.StandardError, quiet ? TextWriter.Null : errors);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        await Task.WhenAll(stdout, stderr);
        return process.ExitCode;
    }

    private static async Task PumpAsync(StreamReader from, TextWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            await to.WriteLineAsync(line);
            await to.FlushAsync();
        }
    }
}
