namespace Coxswain.Api.Validation;

/// <summary>Null-tolerant lookups on the models' IDictionary maps.</summary>
internal static class Maps
{
    public static TValue? Get<TValue>(this IDictionary<string, TValue>? map, string key) =>
        map != null && map.TryGetValue(key, out var v) ? v : default;
}
