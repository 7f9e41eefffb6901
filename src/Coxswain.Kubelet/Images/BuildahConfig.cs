namespace Coxswain.Kubelet.Images;

/// <summary>
/// Files buildah reads for a cox build: a registries.conf that sends docker.io and registry.k8s.io (and short
/// names, through docker.io) to the local registry over plain HTTP, and a signature policy accepting anything.
/// </summary>
internal static class BuildahConfig
{
    public static string RegistriesConf(string registry)
    {
        var mirrored = string.Concat(RegistryHosts.DefaultMirroredHosts.Select(host =>
            $"""

            [[registry]]
            prefix = "{host}"
            location = "{registry}"
            insecure = true

            """));
        return $"""
            # Written by `cox image build`: every pull goes to the local registry.
            unqualified-search-registries = ["{ImageReference.DockerHub}"]
            short-name-mode = "permissive"
            {mirrored}
            [[registry]]
            location = "{registry}"
            insecure = true

            """;
    }

    public const string PolicyJson = """{"default":[{"type":"insecureAcceptAnything"}]}""";
}
