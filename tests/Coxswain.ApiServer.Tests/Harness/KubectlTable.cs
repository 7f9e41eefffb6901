using System.Text.RegularExpressions;

namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>
/// kubectl's column output (tabwriter-aligned) parsed by the header's column offsets, so empty
/// cells and headers with spaces ("NOMINATED NODE") come out right.
/// </summary>
public sealed partial class KubectlTable
{
    private readonly List<int> _starts = [];

    public KubectlTable(string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        Assert.True(lines.Count > 0, "kubectl printed no table");
        var header = lines[0];
        foreach (Match m in ColumnHeader().Matches(header))
        {
            _starts.Add(m.Index);
            Headers.Add(m.Value);
        }
        foreach (var line in lines.Skip(1))
        {
            var cells = new List<string>();
            for (var i = 0; i < _starts.Count; i++)
            {
                var from = Math.Min(_starts[i], line.Length);
                var to = i + 1 < _starts.Count ? Math.Min(_starts[i + 1], line.Length) : line.Length;
                cells.Add(line[from..to].Trim());
            }
            Rows.Add(cells);
        }
    }

    public List<string> Headers { get; } = [];

    public List<List<string>> Rows { get; } = [];

    /// <summary>The first column of every row (the names, unless -A).</summary>
    public List<string> Column(string header)
    {
        var i = Headers.IndexOf(header);
        Assert.True(i >= 0, $"no column {header} in [{string.Join(", ", Headers)}]");
        return Rows.Select(r => r[i]).ToList();
    }

    /// <summary>The row whose NAME cell is <paramref name="name"/>, as header → cell.</summary>
    public Dictionary<string, string> Row(string name, string key = "NAME")
    {
        var i = Headers.IndexOf(key);
        Assert.True(i >= 0, $"no column {key} in [{string.Join(", ", Headers)}]");
        var row = Rows.FirstOrDefault(r => r[i] == name);
        Assert.True(row != null, $"no row {name} in table with {Rows.Count} rows: {string.Join(" | ", Rows.Select(r => string.Join(",", r)))}");
        return Headers.Zip(row).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>An AGE cell of an object made moments ago ("0s" ... "119s").</summary>
    public static bool IsFreshAge(string cell) => FreshAge().IsMatch(cell);

    [GeneratedRegex(@"\S+(?: \S+)*")]
    private static partial Regex ColumnHeader();

    [GeneratedRegex(@"^\d{1,3}s$")]
    private static partial Regex FreshAge();
}
