using System.Text.RegularExpressions;

namespace Coxswain.Kubelet.Env;

/// <summary>The environment variable name rule the kubelet applies to envFrom keys (upstream's IsEnvVarName).</summary>
internal static partial class EnvVarNames
{
    public static bool IsValid(string name) =>
        NamePattern().IsMatch(name) && name != "." && name != ".." && !name.StartsWith("..", StringComparison.Ordinal);

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex NamePattern();
}
