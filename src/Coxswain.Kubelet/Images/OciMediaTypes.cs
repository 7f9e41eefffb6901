namespace Coxswain.Kubelet.Images;

/// <summary>OCI image-spec media types (and the Docker ones a registry may answer with).</summary>
public static class OciMediaTypes
{
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>Accept header for manifest GET/HEAD: every manifest kind we understand.</summary>
    public static readonly string[] AcceptedManifests = [Manifest, Index, DockerManifest, DockerManifestList];
}
