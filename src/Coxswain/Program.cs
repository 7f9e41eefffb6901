using System.CommandLine;
using Coxswain.Commands;

var root = new RootCommand("Coxswain: Kubernetes in one executable. `cox server` runs a control plane.");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(KubeconfigCommand.Create());
return await root.Parse(args).InvokeAsync();
