using System.CommandLine;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers;
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

    public static readonly Option<bool> NoScheduler = new("--no-scheduler") { Description = "Do not run the scheduler in this server (pods stay Pending unless another scheduler binds them)" };

    public static readonly Option<bool> NoControllers = new("--no-controllers") { Description = "Do not run the workload controllers (ReplicaSet, Deployment, ...) in this server" };

    public static IEnumerable<Option> Options => [NoScheduler, NoControllers, SimulatedNodes, NodeMonitorGracePeriod, NodeMonitorPeriod];

    /// <summary>What the options asked for, read before the server starts.</summary>
    public sealed record Settings(bool Scheduler, int SimulatedNodes, NodeLifecycleOptions NodeLifecycle, bool Controllers = true);

    public static Settings Read(ParseResult parse) => new(!parse.GetValue(NoScheduler), parse.GetValue(SimulatedNodes), new NodeLifecycleOptions
    {
        GracePeriod = parse.GetValue(NodeMonitorGracePeriod),
        MonitorPeriod = parse.GetValue(NodeMonitorPeriod),
    }, !parse.GetValue(NoControllers));

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly k8s.Kubernetes _client;
    private readonly InformerFactory _informers;

    private ServerComponents(string kubeconfig, Settings settings, ILoggerFactory loggerFactory)
    {
        _client = ClientFactory.FromKubeconfig(kubeconfig);
        // One cache per resource type for the scheduler and the controllers, as in one kube-controller-manager.
        _informers = new InformerFactory(_client, new InformerOptions { Logger = loggerFactory.CreateLogger("informers") });
        if (settings.Scheduler)
        {
            var log = loggerFactory.CreateLogger("scheduler");
            log.LogInformation("starting scheduler default-scheduler");
            var scheduler = new SchedulerService(_client, log, _informers);
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
        if (settings.Controllers)
        {
            var controllers = new ControllerManager(_client, _informers, loggerFactory).AddDefaults();
            _tasks.Add(Task.Run(() => controllers.RunAsync(_stop.Token)));
        }
        var lifecycle = new NodeLifecycleController(_client, settings.NodeLifecycle, loggerFactory.CreateLogger("node-lifecycle"), _informers);
        _tasks.Add(Task.Run(() => lifecycle.RunAsync(_stop.Token)));
        if (settings.SimulatedNodes > 0)
        {
            var options = new SimulatedNodeOptions { Count = settings.SimulatedNodes };
            _tasks.Add(Task.Run(() => AgentCommand.RunSimulatedAsync(_client, options, loggerFactory, _stop.Token)));
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
        _client.Dispose();
        _stop.Dispose();
    }
}
