using System.CommandLine;
using k8s.Models;

namespace Coxswain.Commands;

/// <summary>The kubelet's container log rotation flags, shared by `cox agent` and `cox server`'s local node.</summary>
internal static class ContainerLogOptions
{
    public static Option<string> MaxSize()
    {
        var option = new Option<string>("--container-log-max-size")
        {
            Description = "A running container's log is rotated once it reaches this size (a quantity, e.g. 10Mi)",
            DefaultValueFactory = _ => "10Mi",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && TryBytes(value) is not > 0)
            {
                result.AddError($"--container-log-max-size: \"{value}\" is not a positive size such as 10Mi");
            }
        });
        return option;
    }

    public static Option<int> MaxFiles()
    {
        var option = new Option<int>("--container-log-max-files")
        {
            Description = "Log files kept per container, the current one included (at least 2)",
            DefaultValueFactory = _ => 5,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var n and < 2)
            {
                result.AddError($"--container-log-max-files: {n} is invalid, must be > 1");
            }
        });
        return option;
    }

    public static long Bytes(string quantity) => TryBytes(quantity) ?? throw new ArgumentException($"not a size: {quantity}");

    private static long? TryBytes(string quantity)
    {
        try
        {
            return (long)new ResourceQuantity(quantity).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
