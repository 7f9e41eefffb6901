using System.CommandLine;
using Coxswain.Kubelet.Images;
using Microsoft.Extensions.Logging;

namespace Coxswain.Commands;

/// <summary>
/// The node `cox server` runs next to the control plane, as k3s does: a local registry seeded with pause and busybox,
/// and a real kubelet with its own containerd, when the machine can (root, containerd installed). Off with
/// --disable-agent; where it cannot run the server says why and carries on without it.
/// </summary>
internal static class LocalNode
{
    public static readonly Option<bool> DisableAgent = new("--disable-agent") { Description = "Do not run a local node (kubelet + containerd) in this server" };
    public static readonly Option<bool> DisableRegistry = new("--disable-registry") { Description = "Do not run the local image registry (docker.io and registry.k8s.io mirror)" };
    public static readonly Option<int> RegistryPort = new("--registry-port") { Description = "Port of the local image registry on 127.0.0.1", DefaultValueFactory = _ => 5000 };
    public static readonly Option<string?> NodeName = new("--node-name") { Description = "Name of the local node (default: the host name)" };
    public static readonly Option<string?> NodeIp = new("--node-ip") { Description = "InternalIP of the local node" };
    public static readonly Option<string> CgroupRoot = new("--cgroup-root") { Description = "cgroup path of the local node's pods", DefaultValueFactory = _ => "/kubepods" };
    public static readonly Option<string?> RuntimeEndpoint = new("--container-runtime-endpoint") { Description = "CRI socket of an existing containerd for the local node" };

    public static readonly KubeletFlags Kubelet = new();

    public static IEnumerable<Option> Options => [DisableAgent, DisableRegistry, RegistryPort, NodeName, NodeIp, CgroupRoot, RuntimeEndpoint];

    public sealed record Settings(bool Agent, bool Registry, int RegistryPort, AgentCommand.RealAgentSettings Real);

    public static Settings Read(ParseResult parse, string serverDataDir) => new(
        !parse.GetValue(DisableAgent),
        !parse.GetValue(DisableRegistry),
        parse.GetValue(RegistryPort),
        new AgentCommand.RealAgentSettings(Path.Combine(serverDataDir, "agent"), parse.GetValue(NodeName), parse.GetValue(NodeIp),
            parse.GetValue(CgroupRoot)!, parse.GetValue(RuntimeEndpoint), $"127.0.0.1:{parse.GetValue(RegistryPort)}",
            Kubelet.Read(parse)));

    /// <summary>Starts the seeded registry unless disabled or not installed; null when it does not run (the reason is logged).</summary>
    public static async Task<LocalRegistry?> StartRegistryAsync(Settings settings, string serverDataDir, ILogger logger, CancellationToken ct)
    {
        if (!settings.Registry)
        {
            return null;
        }
        if (!File.Exists("/usr/bin/docker-registry"))
        {
            logger.LogWarning("no local registry: docker-registry is not installed (Debian: apt-get install docker-registry)");
            return null;
        }
        try
        {
            return await SeededRegistry.StartAsync(serverDataDir, settings.RegistryPort, hostsDir: null, logger, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("no local registry: {Error}", e.Message);
            return null;
        }
    }

    /// <summary>Whether the local agent runs; logs why not, and what to use instead, when the machine cannot.</summary>
    public static bool CanRunAgent(Settings settings, ILogger logger)
    {
        if (!settings.Agent)
        {
            return false;
        }
        if (AgentCommand.RealAgentProblem(settings.Real.RuntimeEndpoint) is { } problem)
        {
            logger.LogWarning("no local node: {Problem}. Start with --disable-agent to silence this, or --simulated-nodes N for simulated nodes", problem);
            return false;
        }
        return true;
    }
}
