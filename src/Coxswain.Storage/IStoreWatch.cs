using System.Threading.Channels;

namespace Coxswain.Storage;

/// <summary>
/// A running watch. <see cref="Events"/> yields events in revision order; it completes with a
/// <see cref="CompactedException"/> when the watcher fell too far behind or its start revision was compacted
/// while it caught up. Disposing stops the watch and completes the reader.
/// </summary>
public interface IStoreWatch : IAsyncDisposable
{
    /// <summary>The events, in revision order, without gaps or duplicates.</summary>
    ChannelReader<StoreEvent> Events { get; }
}
