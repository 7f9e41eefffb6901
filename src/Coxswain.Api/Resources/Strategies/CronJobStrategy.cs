using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Validation shared by Jobs and CronJob job templates (upstream's validateJobSpec).</summary>
internal static class BatchValidation
{
    public const int MaxParallelismForIndexedJob = 100000;
    public const int MaxFailedIndexesForIndexedJob = 100000;
    public const int CompletionsSoftLimit = 100000;
    public const int ParallelismLimitForHighCompletions = 10000;
    public const int MaxPodFailurePolicyRules = 20;

    private static readonly string[] PodFailurePolicyActions = ["Count", "FailIndex", "FailJob", "Ignore"];

    public static List<FieldError> ValidateJobSpec(V1JobSpec spec, string path)
    {
        var errs = new List<FieldError>();
        errs.AddRange(FieldChecks.NonNegative(spec.Parallelism, FieldChecks.Child(path, "parallelism")));
        errs.AddRange(FieldChecks.NonNegative(spec.Completions, FieldChecks.Child(path, "completions")));
        errs.AddRange(FieldChecks.NonNegative(spec.ActiveDeadlineSeconds, FieldChecks.Child(path, "activeDeadlineSeconds")));
        errs.AddRange(FieldChecks.NonNegative(spec.BackoffLimit, FieldChecks.Child(path, "backoffLimit")));
        errs.AddRange(FieldChecks.NonNegative(spec.TtlSecondsAfterFinished, FieldChecks.Child(path, "ttlSecondsAfterFinished")));
        var indexed = spec.CompletionMode == "Indexed";
        if (spec.BackoffLimitPerIndex is { } blpi)
        {
            errs.AddRange(FieldChecks.NonNegative(blpi, FieldChecks.Child(path, "backoffLimitPerIndex")));
            if (!indexed)
            {
                errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "backoffLimitPerIndex"), "requires indexed completion mode"));
            }
        }
        if (spec.MaxFailedIndexes is { } mfi)
        {
            errs.AddRange(FieldChecks.NonNegative(mfi, FieldChecks.Child(path, "maxFailedIndexes")));
            if (spec.BackoffLimitPerIndex == null)
            {
                errs.Add(FieldError.Required(FieldChecks.Child(path, "backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
            }
        }
        if (spec.ManagedBy != null)
        {
            var mp = FieldChecks.Child(path, "managedBy");
            errs.AddRange(FieldChecks.QualifiedName(spec.ManagedBy, mp));
            if (spec.ManagedBy.Length > 63)
            {
                errs.Add(FieldChecks.TooLong(mp, 63));
            }
        }
        if (spec.CompletionMode != null)
        {
            if (spec.CompletionMode is not ("NonIndexed" or "Indexed"))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "completionMode"), spec.CompletionMode, "NonIndexed", "Indexed"));
            }
            if (indexed)
            {
                if (spec.Completions == null)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(path, "completions"), "when completion mode is Indexed"));
                }
                if (spec.Parallelism is > MaxParallelismForIndexedJob)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(path, "parallelism"), spec.Parallelism.Value,
                        $"must be less than or equal to {MaxParallelismForIndexedJob} when completion mode is Indexed"));
                }
                if (spec.Completions is { } c && spec.MaxFailedIndexes is { } m && m > c)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(path, "maxFailedIndexes"), m, "must be less than or equal to completions"));
                }
                if (spec.MaxFailedIndexes is > MaxFailedIndexesForIndexedJob)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Child(path, "maxFailedIndexes"), spec.MaxFailedIndexes.Value,
                        $"must be less than or equal to {MaxFailedIndexesForIndexedJob}"));
                }
                if (spec.Completions is > CompletionsSoftLimit && spec.BackoffLimitPerIndex != null)
                {
                    if (spec.MaxFailedIndexes == null)
                    {
                        errs.Add(FieldError.Required(FieldChecks.Child(path, "maxFailedIndexes"), $"must be specified when completions is above {CompletionsSoftLimit}"));
                    }
                    if (spec.Parallelism is > ParallelismLimitForHighCompletions)
                    {
                        errs.Add(FieldError.Invalid(FieldChecks.Child(path, "parallelism"), spec.Parallelism.Value,
                            $"must be less than or equal to {ParallelismLimitForHighCompletions} when completions are above {CompletionsSoftLimit} and used with backoff limit per index"));
                    }
                }
            }
        }
        if (spec.PodFailurePolicy != null)
        {
            errs.AddRange(PodFailurePolicy(spec, FieldChecks.Child(path, "podFailurePolicy")));
        }
        if (spec.PodReplacementPolicy != null)
        {
            var rp = FieldChecks.Child(path, "podReplacementPolicy");
            if (spec.PodFailurePolicy != null)
            {
                if (spec.PodReplacementPolicy != "Failed")
                {
                    errs.Add(FieldChecks.NotSupported(rp, spec.PodReplacementPolicy, "Failed"));
                }
            }
            else if (spec.PodReplacementPolicy is not ("TerminatingOrFailed" or "Failed"))
            {
                errs.Add(FieldChecks.NotSupported(rp, spec.PodReplacementPolicy, "Failed", "TerminatingOrFailed"));
            }
        }
        var templatePath = FieldChecks.Child(path, "template");
        errs.AddRange(PodSpecValidation.ValidatePodTemplateSpec(spec.Template ?? new V1PodTemplateSpec(), templatePath));
        var restartPath = FieldChecks.Child(templatePath, "spec.restartPolicy");
        var restart = spec.Template?.Spec?.RestartPolicy ?? "";
        if (restart is "Always" or "")
        {
            // "Always" is the PodSpec default, so it counts as not chosen.
            errs.Add(FieldError.Required(restartPath, "valid values: \"OnFailure\", \"Never\""));
        }
        else if (restart is not ("OnFailure" or "Never"))
        {
            errs.Add(FieldChecks.NotSupported(restartPath, restart, "OnFailure", "Never"));
        }
        else if (spec.PodFailurePolicy != null && restart != "Never")
        {
            errs.Add(FieldError.Invalid(restartPath, restart, "only \"Never\" is supported when podFailurePolicy is specified"));
        }
        return errs;
    }

    private static List<FieldError> PodFailurePolicy(V1JobSpec spec, string path)
    {
        var errs = new List<FieldError>();
        var rules = spec.PodFailurePolicy?.Rules ?? [];
        var rulesPath = FieldChecks.Child(path, "rules");
        if (rules.Count > MaxPodFailurePolicyRules)
        {
            errs.Add(FieldChecks.TooMany(rulesPath, rules.Count, MaxPodFailurePolicyRules));
        }
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var rp = FieldChecks.Index(rulesPath, i);
            var actionPath = FieldChecks.Child(rp, "action");
            if (string.IsNullOrEmpty(rule.Action))
            {
                errs.Add(FieldError.Required(actionPath, "valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]"));
            }
            else if (rule.Action == "FailIndex")
            {
                if (spec.BackoffLimitPerIndex == null)
                {
                    errs.Add(FieldError.Invalid(actionPath, rule.Action, "requires the backoffLimitPerIndex to be set"));
                }
            }
            else if (!PodFailurePolicyActions.Contains(rule.Action))
            {
                errs.Add(FieldChecks.NotSupported(actionPath, rule.Action, PodFailurePolicyActions));
            }
            var n = (rule.OnExitCodes != null ? 1 : 0) + (rule.OnPodConditions is { Count: > 0 } ? 1 : 0);
            if (rule.OnExitCodes is { } codes)
            {
                var cp = FieldChecks.Child(rp, "onExitCodes");
                if (codes.OperatorProperty is not ("In" or "NotIn"))
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(cp, "operator"), codes.OperatorProperty ?? "", "In", "NotIn"));
                }
                if ((codes.Values?.Count ?? 0) == 0)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(cp, "values"), "at least one value is required"));
                }
            }
            foreach (var (pattern, j) in (rule.OnPodConditions ?? []).Select((p, j) => (p, j)))
            {
                var pp = FieldChecks.Index(FieldChecks.Child(rp, "onPodConditions"), j);
                if (pattern.Status is not ("True" or "False" or "Unknown"))
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(pp, "status"), pattern.Status ?? "", "False", "True", "Unknown"));
                }
                errs.AddRange(FieldChecks.QualifiedName(pattern.Type ?? "", FieldChecks.Child(pp, "type")));
            }
            if (n != 1)
            {
                errs.Add(FieldError.Invalid(rp, null, "specifying one of OnExitCodes and OnPodConditions is required"));
            }
        }
        return errs;
    }
}

/// <summary>CronJobs (batch/v1).</summary>
public sealed class CronJobStrategy : KindStrategy<V1CronJob>
{
    /// <summary>The controller appends an 11-character suffix to job names, which may be 63 long.</summary>
    public const int MaxNameLength = 52;

    public override void Default(V1CronJob obj)
    {
        obj.Spec ??= new V1CronJobSpec();
        var spec = obj.Spec;
        if (string.IsNullOrEmpty(spec.ConcurrencyPolicy))
        {
            spec.ConcurrencyPolicy = "Allow";
        }
        spec.Suspend ??= false;
        spec.SuccessfulJobsHistoryLimit ??= 3;
        spec.FailedJobsHistoryLimit ??= 1;
        spec.JobTemplate ??= new V1JobTemplateSpec();
        spec.JobTemplate.Spec ??= new V1JobSpec();
        PodDefaults.DefaultTemplate(spec.JobTemplate.Spec.Template);
    }

    public override IEnumerable<FieldError> ValidateCreate(V1CronJob obj)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1CronJobSpec(), null, "spec");
        if ((obj.Metadata?.Name?.Length ?? 0) > MaxNameLength)
        {
            errs.Add(FieldError.Invalid("metadata.name", obj.Metadata!.Name, $"must be no more than {MaxNameLength} characters"));
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1CronJob obj, V1CronJob old) =>
        ValidateSpec(obj.Spec ?? new V1CronJobSpec(), old.Spec ?? new V1CronJobSpec(), "spec");

    private static List<FieldError> ValidateSpec(V1CronJobSpec spec, V1CronJobSpec? oldSpec, string path)
    {
        var errs = new List<FieldError>();
        var schedulePath = FieldChecks.Child(path, "schedule");
        if (string.IsNullOrEmpty(spec.Schedule))
        {
            errs.Add(FieldError.Required(schedulePath));
        }
        else
        {
            if (CronSchedule.Parse(spec.Schedule, out var error) == null)
            {
                errs.Add(FieldError.Invalid(schedulePath, spec.Schedule, error!));
            }
            var allowTzInSchedule = oldSpec?.Schedule?.Contains("TZ", StringComparison.Ordinal) == true;
            if (allowTzInSchedule && spec.Schedule.Contains("TZ", StringComparison.Ordinal) && spec.TimeZone != null)
            {
                errs.Add(FieldError.Invalid(schedulePath, spec.Schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
            }
            else if (!allowTzInSchedule && spec.Schedule.Contains("TZ", StringComparison.Ordinal))
            {
                errs.Add(FieldError.Invalid(schedulePath, spec.Schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
            }
        }
        errs.AddRange(FieldChecks.NonNegative(spec.StartingDeadlineSeconds, FieldChecks.Child(path, "startingDeadlineSeconds")));
        if (oldSpec == null || oldSpec.TimeZone != spec.TimeZone)
        {
            errs.AddRange(TimeZone(spec.TimeZone, FieldChecks.Child(path, "timeZone")));
        }
        errs.AddRange(PodSpecValidation.Enum(spec.ConcurrencyPolicy, FieldChecks.Child(path, "concurrencyPolicy"), "Allow", "Forbid", "Replace"));
        var templatePath = FieldChecks.Child(path, "jobTemplate");
        var jobSpec = spec.JobTemplate?.Spec ?? new V1JobSpec();
        errs.AddRange(ObjectMetaValidation.ValidateTemplateMeta(spec.JobTemplate?.Metadata, FieldChecks.Child(templatePath, "metadata")));
        errs.AddRange(BatchValidation.ValidateJobSpec(jobSpec, FieldChecks.Child(templatePath, "spec")));
        if (jobSpec.Selector != null)
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(templatePath, "spec.selector"), jobSpec.Selector, "`selector` will be auto-generated"));
        }
        if (jobSpec.ManualSelector == true)
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(templatePath, "spec.manualSelector"), true, "nil", "false"));
        }
        errs.AddRange(FieldChecks.NonNegative(spec.SuccessfulJobsHistoryLimit, FieldChecks.Child(path, "successfulJobsHistoryLimit")));
        errs.AddRange(FieldChecks.NonNegative(spec.FailedJobsHistoryLimit, FieldChecks.Child(path, "failedJobsHistoryLimit")));
        return errs;
    }

    private static List<FieldError> TimeZone(string? timeZone, string path)
    {
        if (timeZone == null)
        {
            return [];
        }
        if (timeZone.Length == 0)
        {
            return [FieldError.Invalid(path, timeZone, "timeZone must be nil or non-empty string")];
        }
        if (string.Equals(timeZone, "Local", StringComparison.OrdinalIgnoreCase))
        {
            return [FieldError.Invalid(path, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")];
        }
        return CronSchedule.LoadZone(timeZone, out var error) == null ? [FieldError.Invalid(path, timeZone, error!)] : [];
    }
}
