using System.Text;

namespace Coxswain.ApiServer.Security;

/// <summary>Writes the admin kubeconfig that points kubectl at this server.</summary>
public static class Kubeconfig
{
    public static string PathIn(string dataDir) => Path.Combine(dataDir, "kubeconfig.yaml");

    public static string Render(string serverUrl, string caPem, string token)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: coxswain
              cluster:
                server: {serverUrl}
                certificate-authority-data: {ca}
            users:
            - name: admin
              user:
                token: {token}
            contexts:
            - name: coxswain
              context:
                cluster: coxswain
                user: admin
                namespace: default
            current-context: coxswain

            """;
    }
}
