using System.Security.Cryptography.X509Certificates;

namespace Coxswain.Bench;

/// <summary>Checks the server's certificate against the kubeconfig's CA.</summary>
internal static class ServerCertificate
{
    public static bool Valid(X509Certificate? cert, X509Certificate2Collection ca) => cert != null && ca.Cast<X509Certificate2>().Any(c => Chains(cert, c));

    private static bool Chains(X509Certificate cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    }
}
