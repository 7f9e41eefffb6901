using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers;

/// <summary>
/// kube-controller-manager in small: the controllers of one process, sharing one <see cref="InformerFactory"/>.
/// Each controller registers its informers and handlers when constructed; <see cref="RunAsync"/> starts the
/// informers and runs every controller with its number of workers until cancelled.
/// </summary>
public sealed class ControllerManager(IKubernetes client, InformerFactory informers, ILoggerFactory loggers, string enabled = "*")
{
    private readonly HashSet<string> _on = Names(enabled, include: true);
    private readonly HashSet<string> _off = Names(enabled, include: false);

    private readonly List<(IController Controller, int Workers)> _controllers = [];
    private readonly List<EventRecorder> _recorders = [];

    public IKubernetes Client => client;
    public InformerFactory Informers => informers;
    public ILoggerFactory Loggers => loggers;

    /// <summary>An event recorder reporting as <paramref name="component"/> (e.g. "replicaset-controller"), flushed at shutdown.</summary>
    public EventRecorder Recorder(string component)
    {
        var recorder = new EventRecorder(client, component, logger: loggers.CreateLogger(component));
        _recorders.Add(recorder);
        return recorder;
    }

    /// <summary>Runs <paramref name="controller"/> unless `--controllers` leaves it out.</summary>
    public ControllerManager Add(IController controller, int workers)
    {
        if (IsEnabled(controller.Name))
        {
            _controllers.Add((controller, workers));
        }
        return this;
    }

    /// <summary>
    /// Upstream's --controllers: a comma-separated list where "*" turns on every controller, "foo" turns on foo and
    /// "-foo" turns it off. Names are matched without case and without a "-controller" suffix ("replicaset").
    /// </summary>
    public bool IsEnabled(string name)
    {
        var n = Normalize(name);
        return !_off.Contains(n) && (_on.Contains("*") || _on.Contains(n));
    }

    private static string Normalize(string name)
    {
        var n = name.ToLowerInvariant();
        return n.EndsWith("-controller", StringComparison.Ordinal) ? n[..^"-controller".Length] : n;
    }

    private static HashSet<string> Names(string list, bool include) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(x => x.StartsWith('-') != include)
            .Select(x => Normalize(x.TrimStart('-')))
            .ToHashSet(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        informers.Start(ct);
        var log = loggers.CreateLogger("controller-manager");
        await Task.WhenAll(_controllers.Select(c => Task.Run(async () =>
        {
            try
            {
                await c.Controller.RunAsync(c.Workers, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                log.LogError(e, "controller {Controller} stopped", c.Controller.Name);
            }
        }, CancellationToken.None)));
        foreach (var recorder in _recorders)
        {
            await recorder.DisposeAsync();
        }
    }
}
