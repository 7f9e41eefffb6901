using System.Net;
using System.Reflection;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Client.Events;

/// <summary>The two core/v1 Event types.</summary>
public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary>Records core/v1 Events about objects, as `kubectl describe` shows them.</summary>
public interface IEventRecorder
{
    /// <summary>
    /// Records that <paramref name="reason"/> happened to <paramref name="obj"/>. Never blocks and never throws:
    /// the write happens in the background, and failures are logged (events are best-effort, like client-go's).
    /// </summary>
    void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message);
}

/// <summary>
/// Writes core/v1 Events through the API, with client-go's aggregation (see <see cref="EventCorrelator"/>): a
/// repeat within 10 minutes patches count and lastTimestamp of the existing Event. Recording only enqueues; one
/// background loop writes, so a slow or failing API server never slows the controller that records. When the
/// queue is full, events are dropped (and logged).
/// </summary>
public sealed partial class EventRecorder : IEventRecorder, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly V1EventSource _source;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly EventCorrelator _correlator = new(TimeSpan.FromMinutes(10));
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(1000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly Task _loop;
    private long _pending;

    /// <param name="client">The API client.</param>
    /// <param name="component">source.component and reportingComponent, e.g. "default-scheduler".</param>
    /// <param name="host">source.host / reportingInstance (the node, for kubelets), optional.</param>
    public EventRecorder(IKubernetes client, string component, string? host = null, ILogger? logger = null, TimeProvider? time = null)
    {
        _client = client;
        _source = new V1EventSource { Component = component, Host = host };
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _loop = Task.Run(WriteLoopAsync);
    }

    public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message)
    {
        // Event timestamps are metav1.Time: whole seconds. Truncating here keeps first <= last whatever the encoder does.
        var now = _time.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var pending = new Pending(Reference(obj), type, reason, message, now);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _pending);
            LogDropped(_logger, reason, pending.Object.Name);
        }
    }

    /// <summary>Waits until every event recorded so far has been written (or failed). For shutdown and tests.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        while (Interlocked.Read(ref _pending) > 0)
        {
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    /// <summary>The involvedObject reference: kind and apiVersion fall back to the model type's entity attribute.</summary>
    internal static V1ObjectReference Reference(IKubernetesObject<V1ObjectMeta> obj)
    {
        var entity = obj.GetType().GetCustomAttribute<KubernetesEntityAttribute>();
        var apiVersion = obj.ApiVersion;
        if (string.IsNullOrEmpty(apiVersion) && entity != null)
        {
            apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
        }
        return new V1ObjectReference
        {
            Kind = string.IsNullOrEmpty(obj.Kind) ? entity?.Kind : obj.Kind,
            ApiVersion = apiVersion,
            NamespaceProperty = obj.Metadata?.NamespaceProperty,
            Name = obj.Metadata?.Name,
            Uid = obj.Metadata?.Uid,
            ResourceVersion = obj.Metadata?.ResourceVersion,
        };
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var p in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await WriteAsync(p).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogWriteFailed(_logger, p.Reason, p.Object.Name, e);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task WriteAsync(Pending p)
    {
        // Events of cluster-scoped objects (nodes) live in "default", as in client-go.
        var ns = string.IsNullOrEmpty(p.Object.NamespaceProperty) ? "default" : p.Object.NamespaceProperty;
        var write = _correlator.Observe(p.Object, p.Type, p.Reason, p.Message, _source, p.At);
        if (!write.IsNew)
        {
            var patch = KubernetesJson.Serialize(new Dictionary<string, object>
            {
                ["count"] = write.Count,
                ["lastTimestamp"] = p.At.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            });
            try
            {
                await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), write.Name, ns).ConfigureAwait(false);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Deleted (or expired) meanwhile: write it again under the same name, keeping the count.
            }
        }
        var ev = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = write.Name, NamespaceProperty = ns },
            InvolvedObject = p.Object,
            Reason = p.Reason,
            Message = p.Message,
            Type = p.Type,
            Source = _source,
            FirstTimestamp = write.FirstTimestamp,
            LastTimestamp = p.At,
            Count = write.Count,
            ReportingComponent = _source.Component,
            ReportingInstance = _source.Host ?? "",
        };
        await _client.CoreV1.CreateNamespacedEventAsync(ev, ns).ConfigureAwait(false);
    }

    private sealed record Pending(V1ObjectReference Object, string Type, string Reason, string Message, DateTime At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "event queue full: dropped event {Reason} for {Name}")]
    private static partial void LogDropped(ILogger logger, string reason, string? name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not write event {Reason} for {Name}")]
    private static partial void LogWriteFailed(ILogger logger, string reason, string? name, Exception e);
}
