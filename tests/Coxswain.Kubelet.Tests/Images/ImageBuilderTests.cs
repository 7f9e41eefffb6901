using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

public sealed class ImageBuilderTests
{
    [Theory]
    [InlineData("myapp:1", "myapp:1")]
    [InlineData("myapp", "myapp:latest")]
    [InlineData("docker.io/library/myapp:2", "myapp:2")]
    [InlineData("team/tool:3", "team/tool:3")]
    [InlineData("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10")]
    [InlineData("127.0.0.1:5000/own/app:1", "127.0.0.1:5000/own/app:1")]
    [InlineData("quay.io/org/app:1", "127.0.0.1:5000/org/app:1")]
    public void PodImageNameResolvesToWhatWasPushed(string built, string podImage)
    {
        Assert.Equal(podImage, ImageBuilder.PodImageName(ImageReference.Parse(built), "127.0.0.1:5000"));
    }

    [Fact]
    public void RegistriesConfSendsMirroredRegistriesAndShortNamesToTheLocalRegistryOverHttp()
    {
        var conf = BuildahConfig.RegistriesConf("127.0.0.1:5123");

        Assert.Contains("unqualified-search-registries = [\"docker.io\"]", conf);
        foreach (var prefix in new[] { "docker.io", "registry.k8s.io" })
        {
            Assert.Contains($"prefix = \"{prefix}\"\nlocation = \"127.0.0.1:5123\"\ninsecure = true", conf);
        }
        Assert.Contains("[[registry]]\nlocation = \"127.0.0.1:5123\"\ninsecure = true", conf);
    }

    [Fact]
    public async Task ADigestInsteadOfATagIsRejectedBeforeBuilding()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var builder = new ImageBuilder(output, errors, buildah: "/nonexistent/buildah");

        var code = await builder.BuildAsync(new ImageBuildOptions("app@sha256:abcd", Path.GetTempPath(), null, "127.0.0.1:1", Path.GetTempPath()));

        Assert.Equal(2, code);
        Assert.Contains("give a tag, not a digest", errors.ToString());
        Assert.Equal("", output.ToString());
    }
}
