using System.Runtime.InteropServices;

namespace Coxswain.Kubelet.Runtime;

/// <summary>The few libc calls .NET does not expose (Process.Kill sends only SIGKILL).</summary>
internal static partial class Posix
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
