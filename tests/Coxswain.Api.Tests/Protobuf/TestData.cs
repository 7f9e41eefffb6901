using System.Runtime.CompilerServices;

namespace Coxswain.Api.Tests.Protobuf;

/// <summary>Reads files of Protobuf/TestData from the source tree (the project copies nothing).</summary>
internal static class TestData
{
    private const string Relative = "tests/Coxswain.Api.Tests/Protobuf/TestData";

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory(), name));

    public static IEnumerable<string> Names(string pattern) =>
        System.IO.Directory.GetFiles(Directory(), pattern).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static string Directory([CallerFilePath] string source = "")
    {
        var beside = Path.Combine(Path.GetDirectoryName(source) ?? "", "TestData");
        if (System.IO.Directory.Exists(beside))
        {
            return beside;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Relative);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"cannot find {Relative} above {AppContext.BaseDirectory}");
    }
}
