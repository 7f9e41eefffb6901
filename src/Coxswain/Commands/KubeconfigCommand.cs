using System.CommandLine;
using Coxswain.ApiServer.Security;

namespace Coxswain.Commands;

/// <summary>`cox kubeconfig`: prints the admin kubeconfig of a data dir.</summary>
internal static class KubeconfigCommand
{
    public static Command Create()
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("kubeconfig", "Print the admin kubeconfig of a cluster (written by `cox server`)") { dataDir };
        command.SetAction(parse =>
        {
            var path = Kubeconfig.PathIn(Path.GetFullPath(parse.GetValue(dataDir)!));
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"no kubeconfig at {path}: start `cox server --data-dir {parse.GetValue(dataDir)}` first");
                return 1;
            }
            Console.Out.Write(File.ReadAllText(path));
            return 0;
        });
        return command;
    }
}
