using Coxswain.Kubelet.Node;

namespace Coxswain.Kubelet.Tests.Node;

public sealed class LinuxMachineReaderTests
{
    [Fact]
    public void ProcFilesAreParsedAsTheKubeletReadsThem()
    {
        var meminfo = LinuxMachineReader.MemInfo("MemTotal:       16318412 kB\nMemFree:  1000 kB\nMemAvailable:   9000 kB\nHugePages_Total:       0\n");

        Assert.Equal(16318412L * 1024, meminfo["MemTotal"]);
        Assert.Equal(9000L * 1024, meminfo["MemAvailable"]);
        Assert.Equal(0, meminfo["HugePages_Total"]);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", LinuxMachineReader.PrettyName("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"));
        Assert.Equal("Linux", LinuxMachineReader.PrettyName(""));
        Assert.Equal(4194304 - 321, LinuxMachineReader.PidsAvailable("4194304\n", "0.10 0.20 0.30 2/321 4567\n"));
        Assert.Null(LinuxMachineReader.PidsAvailable("", "0.10 0.20 0.30 2/321 4567\n"));
    }

    [Fact]
    public void ThisMachineIsReadFromItsFiles()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cox-machine-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var facts = new LinuxMachineReader(dir).Read();

            Assert.Equal(Environment.ProcessorCount, facts.Cpus);
            var memTotal = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            Assert.Equal(long.Parse(memTotal.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024, facts.MemoryBytes);
            Assert.InRange(facts.MemoryAvailableBytes ?? -1, 1, facts.MemoryBytes);
            Assert.InRange(facts.Filesystem.AvailableBytes, 1, facts.Filesystem.CapacityBytes);
            Assert.True(facts.Filesystem.Inodes >= facts.Filesystem.InodesFree);
            Assert.Equal(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), facts.BootId);
            Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), facts.KernelVersion);
            Assert.NotEqual("", facts.OsImage);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
