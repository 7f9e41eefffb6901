using System.CommandLine;

namespace Coxswain.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    /// <summary>/var/lib/coxswain for root (like k3s), else ~/.coxswain.</summary>
    public static string DefaultDataDir() =>
        Environment.UserName == "root"
            ? "/var/lib/coxswain"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".coxswain");

    public static Option<string> DataDir() => new("--data-dir")
    {
        Description = "Folder holding the cluster state, certificates and kubeconfig",
        DefaultValueFactory = _ => DefaultDataDir(),
    };
}
