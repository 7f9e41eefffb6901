using Coxswain.Controllers.NodeIpam;

namespace Coxswain.Controllers.Tests.NodeIpam;

public sealed class CidrSetTests
{
    [Fact]
    public void SubnetsAreHandedOutInOrderUntilTheRangeIsExhausted()
    {
        var set = new CidrSet("10.42.0.0/22", 24);

        string?[] handed = [set.AllocateNext(), set.AllocateNext(), set.AllocateNext(), set.AllocateNext()];
        Assert.Equal(new string?[] { "10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24", "10.42.3.0/24" }, handed);
        Assert.Null(set.AllocateNext());
        Assert.Equal(4, set.Allocated);
    }

    [Fact]
    public void AReleasedSubnetIsReusedOnlyAfterTheOthers()
    {
        var set = new CidrSet("10.42.0.0/22", 24);
        set.AllocateNext();
        set.AllocateNext();

        Assert.True(set.Release("10.42.0.0/24"));

        // As upstream: allocation continues after the last subnet handed out, then wraps around to the freed one.
        Assert.Equal("10.42.2.0/24", set.AllocateNext());
        Assert.Equal("10.42.3.0/24", set.AllocateNext());
        Assert.Equal("10.42.0.0/24", set.AllocateNext());
        Assert.Null(set.AllocateNext());
    }

    [Fact]
    public void OccupiedSubnetsAreSkippedWhateverTheirSize()
    {
        var set = new CidrSet("10.42.0.0/16", 24);

        Assert.True(set.Occupy("10.42.0.0/24"));
        Assert.True(set.Occupy("10.42.1.128/25")); // a smaller block takes the /24 it lies in
        Assert.True(set.Occupy("10.42.2.0/23")); // a larger block takes every /24 it covers
        Assert.Equal(4, set.Allocated);
        Assert.Equal("10.42.4.0/24", set.AllocateNext());
    }

    [Fact]
    public void CidrsOutsideTheClusterRangeAreNotTaken()
    {
        var set = new CidrSet("10.42.0.0/16", 24);

        // Where simulated nodes put their pods (10.128.0.0/9): never in the default cluster CIDR.
        Assert.False(set.Occupy("10.128.0.0/24"));
        Assert.False(set.Occupy("not-a-cidr"));
        Assert.Equal(0, set.Allocated);
        Assert.Equal("10.42.0.0/24", set.AllocateNext());
    }

    [Theory]
    [InlineData("10.42.0.0/16", 15)]
    [InlineData("10.42.0.0/16", 33)]
    [InlineData("10.0.0.0/8", 25)]
    [InlineData("fd00::/48", 64)]
    public void BadRangesAreRefused(string cluster, int mask) =>
        Assert.Throws<ArgumentException>(() => new CidrSet(cluster, mask));
}
