using System.CommandLine;
using System.Runtime.InteropServices;
using Coxswain.Client;
using Coxswain.Kubelet;
using Coxswain.Kubelet.Pods;
using Coxswain.Kubelet.Runtime;
using Coxswain.Kubelet.Simulated;
using k8s;
using Microsoft.Extensions.Logging;

namespace Coxswain.Commands;

/// <summary>`cox agent --simulated`: fake kubelets (like KWOK) that register nodes and run pods on paper.</summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var simulated = new Option<bool>("--simulated") { Description = "Run simulated nodes (no containers) instead of a real kubelet" };
        var nodes = new Option<int>("--nodes") { Description = "How many simulated nodes this agent carries", DefaultValueFactory = _ => 1 };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig of the cluster to join" };
        var server = new Option<string?>("--server") { Description = "API server URL (instead of --kubeconfig)" };
        var token = new Option<string?>("--token") { Description = "Bearer token for --server" };
        var insecure = new Option<bool>("--insecure-skip-tls-verify") { Description = "Do not verify the server's certificate (with --server)" };
        var cpu = new Option<string>("--cpu") { Description = "CPU capacity of each node", DefaultValueFactory = _ => "8" };
        var memory = new Option<string>("--memory") { Description = "Memory capacity of each node", DefaultValueFactory = _ => "32Gi" };
        var pods = new Option<string>("--pods") { Description = "Pod capacity of each node", DefaultValueFactory = _ => "110" };
        var prefix = new Option<string>("--name-prefix") { Description = "Node names are this prefix and a number", DefaultValueFactory = _ => "sim-" };
        var startDelay = new Option<TimeSpan>("--max-start-delay") { Description = "Each pod starts Running after a delay spread over [0, this], e.g. 00:00:05", DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };
        var template = new Option<FileInfo?>("--node-template") { Description = "YAML of a partial Node whose metadata.labels, spec.taints and status.capacity every node gets" };
        var dataDir = new Option<string>("--data-dir") { Description = "Where a real node keeps containerd, pod volumes and logs", DefaultValueFactory = _ => "/var/lib/coxswain/agent" };
        var nodeName = new Option<string?>("--node-name") { Description = "Name of the real node (default: the host name)" };
        var nodeIp = new Option<string?>("--node-ip") { Description = "InternalIP of the real node (default: the first non-loopback IPv4 address)" };
        var cgroupRoot = new Option<string>("--cgroup-root") { Description = "cgroup path under which pod cgroups are made, in every hierarchy", DefaultValueFactory = _ => "/kubepods" };
        var runtimeEndpoint = new Option<string?>("--container-runtime-endpoint") { Description = "CRI socket of an existing containerd (default: start containerd as a child)" };
        var registry = new Option<string?>("--registry") { Description = "HOST:PORT of the cluster's image registry; docker.io and registry.k8s.io pulls go there over plain HTTP", DefaultValueFactory = _ => "127.0.0.1:5000" };
        var kubeletFlags = new KubeletFlags();
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level printed", DefaultValueFactory = _ => LogLevel.Information };
        var command = new Command("agent", "Run node agents; with --simulated, many fake nodes in one process")
        {
            simulated, nodes, kubeconfig, server, token, insecure, cpu, memory, pods, prefix, startDelay, template, logLevel,
            dataDir, nodeName, nodeIp, cgroupRoot, runtimeEndpoint, registry,
        };
        kubeletFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            Kubernetes client;
            if (parse.GetValue(server) is { } url)
            {
                client = new Kubernetes(new KubernetesClientConfiguration
                {
                    Host = url,
                    AccessToken = parse.GetValue(token),
                    SkipTlsVerify = parse.GetValue(insecure),
                    HttpClientTimeout = Timeout.InfiniteTimeSpan,
                });
                ClientFactory.Identified(client, "kubelet");
            }
            else if (parse.GetValue(kubeconfig) is { } path)
            {
                client = ClientFactory.FromKubeconfig(path, program: "kubelet");
            }
            else
            {
                await Console.Error.WriteLineAsync("give --kubeconfig or --server");
                return 2;
            }
            if (!parse.GetValue(simulated))
            {
                using var realLoggers = Logging(parse.GetValue(logLevel));
                using var realStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var realInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; realStop.Cancel(); });
                using var realTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; realStop.Cancel(); });
                var real = new RealAgentSettings(Path.GetFullPath(parse.GetValue(dataDir)!), parse.GetValue(nodeName), parse.GetValue(nodeIp),
                    parse.GetValue(cgroupRoot)!, parse.GetValue(runtimeEndpoint), parse.GetValue(registry),
                    kubeletFlags.Read(parse));
                using (client)
                {
                    return await RunRealAsync(client, real, realLoggers, realStop.Token);
                }
            }
            var options = new SimulatedNodeOptions
            {
                Count = parse.GetValue(nodes),
                Cpu = parse.GetValue(cpu)!,
                Memory = parse.GetValue(memory)!,
                Pods = parse.GetValue(pods)!,
                NamePrefix = parse.GetValue(prefix)!,
                MaxStartDelay = parse.GetValue(startDelay),
                Template = parse.GetValue(template) is { } file ? KubernetesYaml.Deserialize<k8s.Models.V1Node>(await File.ReadAllTextAsync(file.FullName, ct)) : null,
            };
            using var loggerFactory = Logging(parse.GetValue(logLevel));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using (client)
            {
                await RunSimulatedAsync(client, options, loggerFactory, stop.Token);
            }
            return 0;
        });
        return command;
    }

    /// <summary>What a real agent is told on the command line (or by `cox server` for its local agent).</summary>
    public sealed record RealAgentSettings(string DataDir, string? NodeName, string? NodeIp, string CgroupRoot, string? RuntimeEndpoint, string? Registry,
        KubeletTuning Tuning);

    /// <summary>Runs a real kubelet until <paramref name="ct"/> is cancelled; shared by `cox agent` and `cox server`'s local agent.</summary>
    public static async Task<int> RunRealAsync(Kubernetes client, RealAgentSettings real, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        if (RealAgentProblem(real.RuntimeEndpoint) is { } problem)
        {
            await Console.Error.WriteLineAsync($"cannot run a real node here: {problem}. Use --simulated (or `cox server --simulated-nodes N`) instead.");
            return 1;
        }
        var paths = new AgentPaths(real.DataDir);
        var settings = new KubeletSettings
        {
            NodeName = real.NodeName ?? System.Net.Dns.GetHostName().ToLowerInvariant(),
            Paths = paths,
            CgroupRoot = real.CgroupRoot,
            NodeIp = real.NodeIp ?? NodeAddresses.DefaultInternalIp(),
            ContainerLogMaxSize = real.Tuning.ContainerLogMaxSize,
            ContainerLogMaxFiles = real.Tuning.ContainerLogMaxFiles,
            ImageGcHighThresholdPercent = real.Tuning.ImageGcHighThresholdPercent,
            ImageGcLowThresholdPercent = real.Tuning.ImageGcLowThresholdPercent,
            MinimumImageTtl = real.Tuning.MinimumImageTtl,
            EvictionHard = real.Tuning.EvictionHard,
        };
        var kubelet = new RealKubelet(client, new RealKubeletOptions
        {
            Settings = settings,
            ContainerRuntimeEndpoint = real.RuntimeEndpoint,
            Registry = real.Registry,
        }, loggerFactory);
        try
        {
            await kubelet.RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return 0;
    }

    /// <summary>Why this machine cannot run real pods, or null when it can (root, containerd installed).</summary>
    public static string? RealAgentProblem(string? runtimeEndpoint)
    {
        if (Environment.UserName != "root" && geteuid() != 0)
        {
            return "the agent must run as root to run containers";
        }
        if (runtimeEndpoint is null && ContainerdProcess.FindBinary() is null)
        {
            return "containerd is not installed (Debian: apt-get install containerd runc containernetworking-plugins, or scripts/install-deps.sh)";
        }
        return null;
    }

    [DllImport("libc")]
    private static extern uint geteuid();

    /// <summary>Runs simulated nodes until <paramref name="ct"/> is cancelled; shared by `cox agent` and `cox server --simulated-nodes`.</summary>
    public static async Task RunSimulatedAsync(Kubernetes client, SimulatedNodeOptions options, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        var pool = new SimulatedNodePool(client, options, loggerFactory.CreateLogger("simulated-nodes"));
        try
        {
            await pool.RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static ILoggerFactory Logging(LogLevel level) => LoggerFactory.Create(b => b
        .SetMinimumLevel(level)
        .AddFilter("System.Net.Http", LogLevel.Warning)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        }));
}
