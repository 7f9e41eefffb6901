using System.CommandLine;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers;
using Coxswain.Controllers.NodeIpam;
using Coxswain.Controllers.NodeLifecycle;
using Coxswain.Kubelet.Simulated;
using Coxswain.Scheduler.Service;
using Microsoft.Extensions.Logging;

namespace Coxswain.Commands;

/// <summary>
/// The API clients `cox server` runs in-process once the API server is ready (scheduler, node lifecycle
/// controller, simulated nodes). Kept out of ServerCommand so adding a component touches this file only.
/// </summary>
internal sealed class ServerComponents : IAsyncDisposable
{
    public static readonly Option<int> SimulatedNodes = new("--simulated-nodes") { Description = "Also run this many simulated nodes in-process (like `cox agent --simulated`)" };
    public static readonly Option<TimeSpan> NodeMonitorGracePeriod = new("--node-monitor-grace-period") { Description = "Lease age after which a node is marked Unknown", DefaultValueFactory = _ => TimeSpan.FromSeconds(40), Hidden = true };
    public static readonly Option<TimeSpan> NodeMonitorPeriod = new("--node-monitor-period") { Description = "How often the node lifecycle controller checks nodes", DefaultValueFactory = _ => TimeSpan.FromSeconds(5), Hidden = true };

    public static readonly Option<string> Controllers = new("--controllers") { Description = "Controllers to run, as kube-controller-manager's flag: '*' all, 'foo' on, '-foo' off (e.g. '*,-deployment')", DefaultValueFactory = _ => "*" };
    public static readonly Option<bool> NoScheduler = new("--no-scheduler") { Description = "Do not run the scheduler in this server (pods stay Pending unless another scheduler binds them)" };

    public static readonly Option<string> ClusterCidr = new("--cluster-cidr") { Description = "IPv4 range the nodes' pod CIDRs are allocated from (empty: no allocation)", DefaultValueFactory = _ => "10.42.0.0/16" };
    public static readonly Option<int> NodeCidrMaskSize = new("--node-cidr-mask-size") { Description = "Prefix length of each node's pod CIDR", DefaultValueFactory = _ => 24 };

    static ServerComponents()
    {
        ClusterCidr.Validators.Add(ValidateNodeIpam);
    }

    private static void ValidateNodeIpam(System.CommandLine.Parsing.OptionResult result)
    {
        // An absent --node-cidr-mask-size reads as 0 here (defaults are applied after validation).
        var mask = result.GetValue(NodeCidrMaskSize) is var m and not 0 ? m : new NodeIpamOptions().NodeCidrMaskSize;
        if (new NodeIpamOptions { ClusterCidr = result.GetValue(ClusterCidr) ?? "", NodeCidrMaskSize = mask }.Problem() is { } problem)
        {
            result.AddError(problem);
        }
    }

    public static IEnumerable<Option> Options => [NoScheduler, Controllers, SimulatedNodes, NodeMonitorGracePeriod, NodeMonitorPeriod, ClusterCidr, NodeCidrMaskSize, .. Commands.LocalNode.Options];

    /// <summary>What the options asked for, read before the server starts.</summary>
    public sealed record Settings(bool Scheduler, string Controllers, int SimulatedNodes, NodeLifecycleOptions NodeLifecycle)
    {
        public NodeIpamOptions NodeIpam { get; init; } = new();
        public LocalNode.Settings? LocalNode { get; init; }
    }

    public static Settings Read(ParseResult parse, string dataDir) => new(!parse.GetValue(NoScheduler), parse.GetValue(Controllers)!, parse.GetValue(SimulatedNodes), new NodeLifecycleOptions
    {
        GracePeriod = parse.GetValue(NodeMonitorGracePeriod),
        MonitorPeriod = parse.GetValue(NodeMonitorPeriod),
    })
    {
        NodeIpam = new NodeIpamOptions { ClusterCidr = parse.GetValue(ClusterCidr) ?? "", NodeCidrMaskSize = parse.GetValue(NodeCidrMaskSize) },
        LocalNode = Commands.LocalNode.Read(parse, dataDir),
    };

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    // One client per component, each with its program name as user agent (managedFields managers, /metrics).
    private readonly List<k8s.Kubernetes> _clients = [];
    private readonly InformerFactory _informers;
    private Kubelet.Images.LocalRegistry? _registry;

    private ServerComponents(string kubeconfig, Settings settings, ILoggerFactory loggerFactory)
    {
        k8s.Kubernetes Client(string program)
        {
            var client = ClientFactory.FromKubeconfig(kubeconfig, program: program);
            _clients.Add(client);
            return client;
        }
        var controllerClient = Client("kube-controller-manager");
        // One cache per resource type for the scheduler and the controllers, as in one kube-controller-manager.
        _informers = new InformerFactory(controllerClient, new InformerOptions { Logger = loggerFactory.CreateLogger("informers") });
        if (settings.Scheduler)
        {
            var log = loggerFactory.CreateLogger("scheduler");
            log.LogInformation("starting scheduler default-scheduler");
            var scheduler = new SchedulerService(Client("kube-scheduler"), log, _informers);
            _tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await scheduler.RunAsync(_stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "scheduler stopped");
                }
            }));
        }
        var controllers = new ControllerManager(controllerClient, _informers, loggerFactory, settings.Controllers).AddDefaults(settings.NodeIpam);
        _tasks.Add(Task.Run(() => controllers.RunAsync(_stop.Token)));
        if (controllers.IsEnabled("nodelifecycle"))
        {
            var lifecycle = new NodeLifecycleController(controllerClient, settings.NodeLifecycle, loggerFactory.CreateLogger("node-lifecycle"), _informers);
            _tasks.Add(Task.Run(() => lifecycle.RunAsync(_stop.Token)));
        }
        if (settings.LocalNode is { } local)
        {
            var log = loggerFactory.CreateLogger("local-node");
            var kubelet = Client("kubelet");
            _tasks.Add(Task.Run(async () =>
            {
                _registry = await Commands.LocalNode.StartRegistryAsync(local, Path.GetDirectoryName(local.Real.DataDir)!, log, _stop.Token);
                if (Commands.LocalNode.CanRunAgent(local, log))
                {
                    // The node pulls docker.io and registry.k8s.io images through this server's registry, wherever it listens.
                    var real = _registry is { } registry ? local.Real with { Registry = registry.Address } : local.Real;
                    await AgentCommand.RunRealAsync(kubelet, real, loggerFactory, _stop.Token);
                }
            }));
        }
        if (settings.SimulatedNodes > 0)
        {
            var options = new SimulatedNodeOptions { Count = settings.SimulatedNodes };
            _tasks.Add(Task.Run(() => AgentCommand.RunSimulatedAsync(Client("kubelet"), options, loggerFactory, _stop.Token)));
        }
    }

    public static ServerComponents Start(string kubeconfig, Settings settings, ILoggerFactory loggerFactory) => new(kubeconfig, settings, loggerFactory);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks);
            await _informers.WhenStoppedAsync();
        }
        catch (OperationCanceledException)
        {
        }
        if (_registry != null)
        {
            await _registry.DisposeAsync();
        }
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        _stop.Dispose();
    }
}
