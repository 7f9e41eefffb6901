using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// The kubelet's self-signed serving certificate, made at start like upstream's kubelet does
/// without --tls-cert-file. The API server does not verify it (no --kubelet-certificate-authority).
/// </summary>
internal static class ServingCertificate
{
    public static X509Certificate2 Create(IPAddress bindAddress, IEnumerable<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=coxswain-kubelet", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        if (!bindAddress.Equals(IPAddress.Any) && !bindAddress.Equals(IPAddress.Loopback))
        {
            san.AddIpAddress(bindAddress);
        }
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }
}
