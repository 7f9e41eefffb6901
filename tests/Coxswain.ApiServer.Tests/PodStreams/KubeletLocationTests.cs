using Coxswain.Api.Errors;
using Coxswain.ApiServer.Http.PodStreams;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.PodStreams;

public sealed class KubeletLocationTests
{
    private static V1Pod Pod(string[] containers, string[]? init = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1PodSpec
        {
            Containers = containers.Select(c => new V1Container { Name = c }).ToList(),
            InitContainers = init?.Select(c => new V1Container { Name = c }).ToList(),
        },
    };

    [Fact]
    public void TheOnlyContainerIsTheDefault() => Assert.Equal("app", KubeletLocation.ValidateContainer(Pod(["app"]), null));

    [Fact]
    public void SeveralContainersNeedANameWithUpstreamsMessage()
    {
        var e = Assert.Throws<ApiException>(() => KubeletLocation.ValidateContainer(Pod(["a", "b"], ["setup"]), ""));
        Assert.Equal(400, e.Code);
        Assert.Equal("BadRequest", e.Reason);
        Assert.Equal("a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [setup]", e.Message);
    }

    [Fact]
    public void UnknownContainerIsRejectedAndInitContainersAreValid()
    {
        var e = Assert.Throws<ApiException>(() => KubeletLocation.ValidateContainer(Pod(["a"]), "nope"));
        Assert.Equal("container nope is not valid for pod web", e.Message);
        Assert.Equal("setup", KubeletLocation.ValidateContainer(Pod(["a"], ["setup"]), "setup"));
    }
}
