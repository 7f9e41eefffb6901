using System.Runtime.InteropServices;

namespace Coxswain.Kubelet.Images;

/// <summary>Process.Kill only sends SIGKILL; child daemons get SIGTERM first so they can shut down cleanly.</summary>
internal static partial class ProcessSignals
{
    private const int SigTerm = 15;

    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
