namespace Coxswain.Controllers.Common;

/// <summary>
/// Upstream's slowStartBatch: runs <paramref name="count"/> calls in batches of 1, 2, 4, ... (starting at
/// <see cref="InitialBatchSize"/>), stopping at the first batch with a failure, so a template the API rejects costs
/// one failed call rather than hundreds. Returns how many succeeded and the first error, if any.
/// </summary>
public static class SlowStart
{
    public const int InitialBatchSize = 1;

    public static async Task<(int Succeeded, Exception? Error)> BatchAsync(int count, Func<int, Task> call, int initialBatchSize = InitialBatchSize)
    {
        var done = 0;
        for (var batch = Math.Min(count, initialBatchSize); batch > 0; batch = Math.Min(2 * batch, count - done))
        {
            var start = done;
            var tasks = Enumerable.Range(start, batch).Select(i => Task.Run(() => call(i))).ToArray();
            try
            {
                await Task.WhenAll(tasks);
            }
            catch
            {
                var ok = tasks.Count(t => t.IsCompletedSuccessfully);
                var error = tasks.First(t => t.IsFaulted).Exception!.InnerException!;
                return (done + ok, error);
            }
            done += batch;
        }
        return (done, null);
    }
}
