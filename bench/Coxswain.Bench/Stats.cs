namespace Coxswain.Bench;

/// <summary>Latencies of one scenario and the figures printed for it.</summary>
internal sealed class Stats(string name)
{
    private readonly List<double> _ms = [];
    private readonly object _lock = new();

    public string Name => name;
    public int Errors { get; private set; }

    public void Add(double ms)
    {
        lock (_lock)
        {
            _ms.Add(ms);
        }
    }

    public void Error()
    {
        lock (_lock)
        {
            Errors++;
        }
    }

    public string Report(TimeSpan elapsed)
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _ms];
        }
        Array.Sort(sorted);
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var rate = sorted.Length / elapsed.TotalSeconds;
        return $"| {name,-34} | {sorted.Length,8} | {rate,10:F0} | {P(0.50),8:F2} | {P(0.99),8:F2} | {P(1.0),8:F2} | {Errors,6} |";
    }

    public const string Header =
        "| scenario                           |    count |      ops/s |  p50 ms |  p99 ms |  max ms | errors |\n" +
        "|------------------------------------|----------|------------|---------|---------|---------|--------|";
}
