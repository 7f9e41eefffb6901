using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

public sealed class RegistryHostsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cox-hosts-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void WritesAMirrorForDockerHubAndTheSandboxRegistry()
    {
        var written = RegistryHosts.Write(_dir, "127.0.0.1:5123");

        Assert.Equal([Path.Combine(_dir, "docker.io", "hosts.toml"), Path.Combine(_dir, "registry.k8s.io", "hosts.toml")], written);
        var dockerHub = File.ReadAllText(written[0]);
        Assert.Contains("server = \"https://registry-1.docker.io\"", dockerHub);
        Assert.Contains("[host.\"http://127.0.0.1:5123\"]", dockerHub);
        Assert.Contains("capabilities = [\"pull\", \"resolve\"]", dockerHub);
        var k8s = File.ReadAllText(written[1]);
        Assert.Contains("server = \"https://registry.k8s.io\"", k8s);
        Assert.Contains("[host.\"http://127.0.0.1:5123\"]", k8s);
        Assert.Equal(["docker.io", "registry.k8s.io"], Directory.GetDirectories(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void RewritingPointsAtTheNewRegistryAndAcceptsAUrl()
    {
        RegistryHosts.Write(_dir, "127.0.0.1:5000", ["quay.io"]);
        var written = Assert.Single(RegistryHosts.Write(_dir, "http://127.0.0.1:6000/", ["quay.io"]));

        var text = File.ReadAllText(written);
        Assert.Contains("[host.\"http://127.0.0.1:6000\"]", text);
        Assert.DoesNotContain("5000", text);
        Assert.Equal([written], Directory.GetFiles(Path.Combine(_dir, "quay.io")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
