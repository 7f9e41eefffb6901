using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlPatchTests
{
    [Fact]
    public async Task Removing_the_last_annotation_leaves_no_empty_map()
    {
        // Upstream decodes into Go maps with omitempty: an emptied map is not stored or returned.
        var ns = await NamespaceWithConfigMapAsync();
        await Kubectl.OkAsync($"annotate cm a -n {ns} note=hello");
        await Kubectl.OkAsync($"annotate cm a -n {ns} note-");
        Assert.Equal("", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.annotations}}"));
    }
}
