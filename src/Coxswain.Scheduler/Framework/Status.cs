namespace Coxswain.Scheduler.Framework;

/// <summary>Result codes of extension points, as upstream's framework.Code.</summary>
public enum Code
{
    Success,
    Error,
    Unschedulable,
    UnschedulableAndUnresolvable,
    Wait,
    Skip,
}

/// <summary>Outcome of a plugin call. Success is represented by <see cref="Status.Ok"/> (shared, no allocation).</summary>
public sealed class Status
{
    public static readonly Status Ok = new(Code.Success, []);
    public static readonly Status SkipStatus = new(Code.Skip, []);

    public Code Code { get; }
    public IReadOnlyList<string> Reasons { get; }
    /// <summary>The plugin that produced a failure; set by the framework.</summary>
    public string? Plugin { get; internal set; }

    public Status(Code code, params string[] reasons)
    {
        Code = code;
        Reasons = reasons;
    }

    public bool IsSuccess => Code == Code.Success;
    public bool IsSkip => Code == Code.Skip;
    public bool IsRejected => Code is Code.Unschedulable or Code.UnschedulableAndUnresolvable;

    /// <summary>Reasons joined with ", " as upstream's Status.Message().</summary>
    public string Message => string.Join(", ", Reasons);

    public static Status Unschedulable(params string[] reasons) => new(Code.Unschedulable, reasons);
    public static Status Unresolvable(params string[] reasons) => new(Code.UnschedulableAndUnresolvable, reasons);
    public static Status AsError(string message) => new(Code.Error, message);

    public override string ToString() => $"{Code}: {Message}";
}
