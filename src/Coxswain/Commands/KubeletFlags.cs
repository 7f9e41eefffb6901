using System.CommandLine;
using Coxswain.Kubelet.Node;
using k8s.Models;

namespace Coxswain.Commands;

/// <summary>What a real node's kubelet is tuned with on the command line (upstream's kubelet flags of the same names).</summary>
internal sealed record KubeletTuning(long ContainerLogMaxSize, int ContainerLogMaxFiles, int ImageGcHighThresholdPercent,
    int ImageGcLowThresholdPercent, TimeSpan MinimumImageTtl, EvictionThresholds EvictionHard);

/// <summary>The kubelet tuning flags, shared by `cox agent` and `cox server`'s local node.</summary>
internal sealed class KubeletFlags
{
    private const int DefaultGcHigh = 85, DefaultGcLow = 80;
    private readonly Option<string> _logMaxSize = new("--container-log-max-size")
    {
        Description = "A running container's log is rotated once it reaches this size (a quantity, e.g. 10Mi)",
        DefaultValueFactory = _ => "10Mi",
    };
    private readonly Option<int> _logMaxFiles = new("--container-log-max-files")
    {
        Description = "Log files kept per container, the current one included (at least 2)",
        DefaultValueFactory = _ => 5,
    };
    private readonly Option<int> _gcHigh = new("--image-gc-high-threshold")
    {
        Description = "Percent of the image filesystem in use from which unused images are removed",
        DefaultValueFactory = _ => DefaultGcHigh,
    };
    private readonly Option<int> _gcLow = new("--image-gc-low-threshold")
    {
        Description = "Percent of the image filesystem in use that image garbage collection frees down to",
        DefaultValueFactory = _ => DefaultGcLow,
    };
    private readonly Option<TimeSpan> _minImageTtl = new("--minimum-image-ttl-duration")
    {
        Description = "Minimum age of an unused image before it may be removed, e.g. 00:02:00",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(2),
    };

    private readonly Option<string?> _evictionHard = new("--eviction-hard")
    {
        Description = "Hard eviction thresholds, e.g. memory.available<100Mi,nodefs.available<10% (given, it replaces all of upstream's defaults)",
    };

    public KubeletFlags()
    {
        _evictionHard.Validators.Add(result =>
        {
            try
            {
                EvictionThresholds.Parse(result.GetValueOrDefault<string?>() ?? "");
            }
            catch (FormatException e)
            {
                result.AddError("--eviction-hard: " + e.Message);
            }
        });
        _logMaxSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && TryBytes(value) is not > 0)
            {
                result.AddError($"--container-log-max-size: \"{value}\" is not a positive size such as 10Mi");
            }
        });
        _logMaxFiles.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var n and < 2)
            {
                result.AddError($"--container-log-max-files: {n} is invalid, must be > 1");
            }
        });
        foreach (var percent in new[] { _gcHigh, _gcLow })
        {
            percent.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is var p and (< 0 or > 100))
                {
                    result.AddError($"{percent.Name}: {p} must be between 0 and 100");
                }
            });
        }
    }

    /// <summary>Adds the flags to <paramref name="command"/>, with the check that spans two of them.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _logMaxSize, _logMaxFiles, _gcHigh, _gcLow, _minImageTtl, _evictionHard })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(result =>
        {
            // An absent flag reads as 0 here: defaults come later.
            var low = result.GetResult(_gcLow) is null ? DefaultGcLow : result.GetValue(_gcLow);
            var high = result.GetResult(_gcHigh) is null ? DefaultGcHigh : result.GetValue(_gcHigh);
            if (low >= high)
            {
                result.AddError($"--image-gc-low-threshold ({low}) must be less than --image-gc-high-threshold ({high})");
            }
        });
    }

    public KubeletTuning Read(ParseResult parse) => new(TryBytes(parse.GetValue(_logMaxSize)!)!.Value, parse.GetValue(_logMaxFiles),
        parse.GetValue(_gcHigh), parse.GetValue(_gcLow), parse.GetValue(_minImageTtl),
        parse.GetValue(_evictionHard) is { } spec ? EvictionThresholds.Parse(spec) : EvictionThresholds.Default);

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
