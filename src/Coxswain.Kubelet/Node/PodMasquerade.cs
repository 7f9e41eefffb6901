using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Node;

/// <summary>
/// One NAT rule for the node's whole pod CIDR: traffic from pods to anything outside it leaves with the node's
/// address, as flannel and k3s set it up. The CNI bridge could do this per pod (ipMasq), but that runs four
/// iptables commands under the xtables lock for every sandbox: about a tenth of a pod burst's CPU.
/// </summary>
public static class PodMasquerade
{
    private const string Comment = "cox: pods to outside the pod network";

    /// <summary>Adds the rule in the agent's network namespace unless it is there already; false when iptables is missing or refused.</summary>
    public static bool Ensure(string podCidr, ILogger logger)
    {
        if (Iptables("-C", podCidr) == 0)
        {
            return true;
        }
        var code = Iptables("-A", podCidr);
        if (code != 0)
        {
            logger.LogWarning("could not add the pod network's masquerade rule for {Cidr} (iptables exit {Code}): pods reach only the node and each other", podCidr, code);
        }
        return code == 0;
    }

    private static int Iptables(string command, string podCidr)
    {
        var psi = new ProcessStartInfo("iptables") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-t", "nat", command, "POSTROUTING", "-s", podCidr, "!", "-d", podCidr, "-m", "comment", "--comment", Comment, "-j", "MASQUERADE" })
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            using var process = Process.Start(psi)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // iptables is not installed
        }
    }
}
