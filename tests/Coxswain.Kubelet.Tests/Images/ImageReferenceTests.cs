using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("me/app:1", "docker.io/me/app:1")]
    [InlineData("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10")]
    [InlineData("localhost/app", "localhost/app:latest")]
    [InlineData("127.0.0.1:5000/library/app:2", "127.0.0.1:5000/library/app:2")]
    [InlineData("localhost:5000/a/b/c", "localhost:5000/a/b/c:latest")]
    [InlineData("busybox@sha256:abcd", "docker.io/library/busybox@sha256:abcd")]
    [InlineData("busybox:1@sha256:abcd", "docker.io/library/busybox:1@sha256:abcd")]
    public void NormalisesAsUpstream(string name, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(name).ToString());
    }

    [Fact]
    public void SplitsRegistryPathAndReference()
    {
        var reference = ImageReference.Parse("myapp:1");

        Assert.Equal("docker.io", reference.Domain);
        Assert.Equal("library/myapp", reference.Path);
        Assert.Equal("1", reference.Reference);
        Assert.Equal("docker.io/library/myapp", reference.Repository);
    }

    [Theory]
    [InlineData("")]
    [InlineData("My/App")]
    [InlineData("app:")]
    [InlineData("a b")]
    [InlineData("app@nodigest")]
    public void RejectsInvalidNames(string name)
    {
        Assert.Throws<FormatException>(() => ImageReference.Parse(name));
    }
}
