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
public sealed class ControllerManager(IKubernetes client, InformerFactory informers, ILoggerFactory loggers)
{
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

    public ControllerManager Add(IController controller, int workers)
    {
        _controllers.Add((controller, workers));
        return this;
    }

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
