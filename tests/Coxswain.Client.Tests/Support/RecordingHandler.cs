using Coxswain.Client.Cache;
using k8s.Models;

namespace Coxswain.Client.Tests.Support;

/// <summary>Records informer notifications as "add name", "update name", "delete name" / "delete? name".</summary>
public sealed class RecordingHandler : IResourceEventHandler<V1Pod>
{
    private readonly List<string> _log = [];

    public List<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public bool Contains(string entry) => Log.Contains(entry);

    public void OnAdd(V1Pod obj) => Record($"add {obj.Metadata.Name}");

    public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Record($"update {newObj.Metadata.Name}");

    public void OnDelete(V1Pod obj, bool finalStateUnknown) => Record($"{(finalStateUnknown ? "delete?" : "delete")} {obj.Metadata.Name}");

    private void Record(string entry)
    {
        lock (_log)
        {
            _log.Add(entry);
        }
    }
}
