namespace Coxswain.Kubelet.Images;

/// <summary>The static pause binary the build compiles from native/pause/pause.c and places next to the running assembly.</summary>
public static class PauseBinary
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "pause");

    public static bool Exists => File.Exists(Path);
}
