using System.CommandLine;
using Coxswain.Commands;

var root = new RootCommand("Coxswain: Kubernetes in one executable. `cox server` runs a control plane.");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(KubeconfigCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(ImageCommand.Create());
// `cox server` handles SIGINT/SIGTERM itself to shut down cleanly and exit 0.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
