using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coxswain.ApiServer.Security;

/// <summary>
/// The cluster CA, the API server's serving certificate and the admin bearer token. Generated on
/// first start into the data dir and reused after, so kubeconfigs stay valid across restarts.
/// </summary>
public sealed class ClusterCredentials
{
    private ClusterCredentials(X509Certificate2 ca, X509Certificate2 serving, string adminToken)
    {
        CaCertificate = ca;
        ServingCertificate = serving;
        AdminToken = adminToken;
    }

    public X509Certificate2 CaCertificate { get; }
    public X509Certificate2 ServingCertificate { get; }
    public string AdminToken { get; }

    public string CaPem => CaCertificate.ExportCertificatePem();

    public static string TlsDir(string dataDir) => Path.Combine(dataDir, "tls");

    public static string TokenPath(string dataDir) => Path.Combine(dataDir, "tls", "admin.token");

    /// <summary>Loads the credentials from the data dir, creating whatever is missing.</summary>
    public static ClusterCredentials LoadOrCreate(string dataDir, IEnumerable<IPAddress> extraAddresses)
    {
        var dir = TlsDir(dataDir);
        Directory.CreateDirectory(dir);
        var ca = LoadOrCreateCa(dir);
        var serving = LoadOrCreateServing(dir, ca, extraAddresses);
        var tokenPath = TokenPath(dataDir);
        if (!File.Exists(tokenPath))
        {
            WritePrivate(tokenPath, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        }
        return new ClusterCredentials(ca, serving, File.ReadAllText(tokenPath).Trim());
    }

    private static X509Certificate2 LoadOrCreateCa(string dir)
    {
        var crt = Path.Combine(dir, "ca.crt");
        var key = Path.Combine(dir, "ca.key");
        if (File.Exists(crt) && File.Exists(key))
        {
            return X509Certificate2.CreateFromPemFile(crt, key);
        }
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN=coxswain-ca@{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}", ecdsa, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var cert = req.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        WritePrivate(key, ecdsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(crt, cert.ExportCertificatePem() + "\n");
        return X509Certificate2.CreateFromPemFile(crt, key);
    }

    private static X509Certificate2 LoadOrCreateServing(string dir, X509Certificate2 ca, IEnumerable<IPAddress> extraAddresses)
    {
        var crt = Path.Combine(dir, "serving.crt");
        var key = Path.Combine(dir, "serving.key");
        var hostname = Dns.GetHostName();
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        addresses.AddRange(extraAddresses.Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any) && !addresses.Contains(a)));
        var names = new[] { "localhost", hostname, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" };

        if (File.Exists(crt) && File.Exists(key))
        {
            var existing = X509Certificate2.CreateFromPemFile(crt, key);
            if (existing.NotAfter > DateTime.UtcNow.AddDays(30) && Covers(existing, addresses, names))
            {
                return Exportable(existing);
            }
        }

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=kube-apiserver", ecdsa, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names.Distinct())
        {
            san.AddDnsName(name);
        }
        foreach (var address in addresses)
        {
            san.AddIpAddress(address);
        }
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = req.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        WritePrivate(key, ecdsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(crt, signed.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
        return Exportable(X509Certificate2.CreateFromPemFile(crt, key));
    }

    /// <summary>SslStream on Linux wants a certificate whose key can be used repeatedly; PKCS#12 round trip gives that.</summary>
    private static X509Certificate2 Exportable(X509Certificate2 cert) =>
        X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);

    private static bool Covers(X509Certificate2 cert, List<IPAddress> addresses, string[] names)
    {
        var ext = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (ext == null)
        {
            return false;
        }
        var ips = ext.EnumerateIPAddresses().ToHashSet();
        var dns = ext.EnumerateDnsNames().ToHashSet();
        return addresses.All(ips.Contains) && names.All(dns.Contains);
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
