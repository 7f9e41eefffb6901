using Coxswain.Kubelet.Volumes;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Volumes;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EtcHostsTests
{
    private const string Localhost = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";

    [Fact]
    public async Task ManagedHostsFileIsMountedWhenThePodHasAnIp()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}", "    terminationMessagePath: \"\"");

        Assert.Empty(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], []));
        var mount = Assert.Single(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], [], ["10.42.0.9"]));

        Assert.Equal(new ContainerMount(Path.Combine(f.Root, "pods", "uid-1", "etc-hosts"), "/etc/hosts", false, MountPropagation.Private), mount);
        Assert.Equal(Localhost + "10.42.0.9\tweb\n", File.ReadAllText(mount.HostPath));
        Assert.Equal((UnixFileMode)0x1a4, File.GetUnixFileMode(mount.HostPath));
    }

    [Fact]
    public async Task ContainersOwnEtcHostsMountWins()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}", """
                terminationMessagePath: ""
                volumeMounts: [{name: scratch, mountPath: /etc/hosts}]
            """);
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None));
        Assert.Equal("/etc/hosts", Assert.Single(f.Volumes.MountsFor(pod, pod.Spec.Containers[0], [], ["10.42.0.9"])).ContainerPath);
        Assert.False(File.Exists(Path.Combine(f.Root, "pods", "uid-1", "etc-hosts")));
    }

    [Fact]
    public void SubdomainHostnameAndAliases()
    {
        var dir = Directory.CreateTempSubdirectory("cox-etc-hosts-").FullName;
        try
        {
            var pod = KubernetesYaml.Deserialize<V1Pod>("""
                metadata: {name: web-0, namespace: shop}
                spec:
                  hostname: db
                  subdomain: cluster
                  hostAliases:
                  - {ip: 10.1.2.3, hostnames: [foo.local, bar.local]}
                  containers: [{name: app, image: busybox}]
                """);
            var path = EtcHosts.Write(dir, pod, ["10.42.0.9", "fd00::9"], "cluster.local");
            Assert.Equal(
                Localhost + "10.42.0.9\tdb.cluster.shop.svc.cluster.local\tdb\nfd00::9\tdb.cluster.shop.svc.cluster.local\tdb\n"
                + "\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n",
                File.ReadAllText(path));

            pod.Spec.HostNetwork = true;
            var nodeHosts = Path.Combine(dir, "node-hosts");
            File.WriteAllText(nodeHosts, "127.0.0.1 node\n");
            path = EtcHosts.Write(dir, pod, ["192.168.1.5"], "cluster.local", nodeHosts);
            Assert.Equal("# Kubernetes-managed hosts file (host network).\n127.0.0.1 node\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LongPodNamesAreCutTo63WithoutATrailingDash()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = new string('a', 62) + "-bcd" }, Spec = new V1PodSpec() };
        Assert.Equal(new string('a', 62), EtcHosts.HostnameAndDomain(pod, "cluster.local").Hostname);
    }
}
