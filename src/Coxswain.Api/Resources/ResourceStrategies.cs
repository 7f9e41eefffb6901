namespace Coxswain.Api.Resources;

/// <summary>The registry of per-kind strategies, looked up by group and kind.</summary>
public static class ResourceStrategies
{
    public static IResourceStrategy For(string group, string kind) => NoStrategy.Instance;
}
