namespace Coxswain.Storage;

/// <summary>The answer to <see cref="IStore.ListAsync"/>.</summary>
/// <param name="Items">Matching keys, sorted by key.</param>
/// <param name="Revision">The store revision the list reflects.</param>
/// <param name="More">True when the limit cut off further matching keys.</param>
/// <param name="RemainingCount">How many matching keys were cut off by the limit.</param>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision, bool More, long RemainingCount);
