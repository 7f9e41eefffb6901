using System.Text.RegularExpressions;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// The one name a test node uses for everything it creates on the machine: network namespace
/// `cox-t-&lt;owner pid&gt;-&lt;random&gt;`, harness dir /tmp/&lt;name&gt; (data dir inside), cgroup root
/// /&lt;name&gt; in every hierarchy. The owner (test process) pid is in the name so that a sweep can tell
/// leftovers of a crashed run from a node another live test process is using, with no race between
/// creating the namespace and recording its owner.
/// </summary>
internal sealed partial record TestNodeName(int OwnerPid, string Suffix)
{
    public const string Prefix = "cox-t-";

    public string Name => $"{Prefix}{OwnerPid}-{Suffix}";
    public string NetnsName => Name;
    public string NetnsPath => $"/run/netns/{Name}";
    public string HarnessDir => Path.Combine("/tmp", Name);
    public string DataDir => Path.Combine(HarnessDir, "data");
    public string CgroupRoot => "/" + Name;

    /// <summary>Holds the owner's start time, which tells a reused pid from the owner.</summary>
    public string OwnerFile => Path.Combine(HarnessDir, "owner-start-time");

    public static TestNodeName New() => new(Environment.ProcessId, Guid.NewGuid().ToString("N")[..6]);

    public static TestNodeName? Parse(string name)
    {
        var m = NamePattern().Match(name);
        return m.Success ? new TestNodeName(int.Parse(m.Groups[1].Value), m.Groups[2].Value) : null;
    }

    public void RecordOwner()
    {
        Directory.CreateDirectory(HarnessDir);
        File.WriteAllText(OwnerFile, ProcessStartTime(OwnerPid) ?? "");
    }

    /// <summary>True while the process that made this node still runs.</summary>
    public bool OwnerAlive()
    {
        var started = ProcessStartTime(OwnerPid);
        if (started == null)
        {
            return false;
        }
        var recorded = File.Exists(OwnerFile) ? File.ReadAllText(OwnerFile).Trim() : "";
        return recorded.Length == 0 || recorded == started;
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks); null when the process is gone.</summary>
    public static string? ProcessStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: split after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : fields[19];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>/proc/PID/comm (the first 15 bytes of the executable's name); null when the process is gone.</summary>
    public static string? ProcessCommand(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^cox-t-(\d+)-([0-9a-f]+)$")]
    private static partial Regex NamePattern();
}
