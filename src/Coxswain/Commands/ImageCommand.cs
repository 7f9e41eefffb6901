using System.CommandLine;
using Coxswain.Kubelet.Images;

namespace Coxswain.Commands;

/// <summary>`cox image build` (Containerfile -> local registry, with buildah) and `cox image seed` (pause and busybox).</summary>
internal static class ImageCommand
{
    private const string DefaultRegistry = "127.0.0.1:5000";

    public static Command Create()
    {
        var command = new Command("image", "Build images and put them into the cluster's local registry (no Docker needed)");
        command.Subcommands.Add(Build());
        command.Subcommands.Add(Seed());
        return command;
    }

    private static Option<string?> Registry() => new("--registry")
    {
        Description = $"host:port of the local registry (plain HTTP); default: the one `cox server` runs for --data-dir, else {DefaultRegistry}",
    };

    private static string RegistryOf(ParseResult parse, Option<string?> registry, Option<string> dataDir) =>
        parse.GetValue(registry) ?? SeededRegistry.AddressIn(Path.GetFullPath(parse.GetValue(dataDir)!)) ?? DefaultRegistry;

    private static Command Build()
    {
        var tag = new Option<string>("--tag", "-t") { Description = "Image name, e.g. myapp:1 (pushed as library/myapp:1, so `image: myapp:1` works)", Required = true };
        var file = new Option<string?>("--file", "-f") { Description = "Containerfile to use (default: DIR/Containerfile, else DIR/Dockerfile)" };
        var registry = Registry();
        var dataDir = CommonOptions.DataDir();
        var context = new Argument<string>("DIR") { Description = "Build context: the directory COPY reads from" };
        var command = new Command("build", "Build an image from a Containerfile with buildah and push it to the local registry")
        {
            tag, file, registry, dataDir, context,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ImageBuildOptions(
                parse.GetValue(tag)!,
                parse.GetValue(context)!,
                parse.GetValue(file),
                RegistryOf(parse, registry, dataDir),
                Path.Combine(SeededRegistry.ImagesDir(Path.GetFullPath(parse.GetValue(dataDir)!)), "buildah"));
            return await new ImageBuilder(Console.Out, Console.Error).BuildAsync(options, ct);
        });
        return command;
    }

    private static Command Seed()
    {
        var registry = Registry();
        var dataDir = CommonOptions.DataDir();
        var archiveDir = new Option<string?>("--archive-dir") { Description = "Also write the images as OCI archives here (for `ctr images import`)" };
        var busybox = new Option<string>("--busybox") { Description = "Static busybox binary to build the busybox image from", DefaultValueFactory = _ => SeedImages.DefaultBusyboxPath };
        var command = new Command("seed", $"Push the sandbox image ({SeedImages.PauseImageName}) and {SeedImages.BusyboxImageName} into a registry when missing")
        {
            registry, dataDir, archiveDir, busybox,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var seeds = await SeedImages.EnsureAsync(RegistryOf(parse, registry, dataDir), PauseBinary.Path, parse.GetValue(busybox)!, parse.GetValue(archiveDir), logger: null, ct);
                foreach (var seed in seeds)
                {
                    Console.WriteLine($"{seed.Name} {seed.Image.Manifest.Digest}");
                }
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or RegistryException or FileNotFoundException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
