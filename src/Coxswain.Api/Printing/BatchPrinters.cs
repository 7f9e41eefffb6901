using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of batch/v1 kinds.</summary>
internal static class BatchPrinters
{
    public static TablePrinter Job() => new TablePrinter(
            Columns.Name,
            Columns.Text("Status", ColumnDescriptions.JobStatus),
            Columns.Text("Completions", ColumnDescriptions.JobSucceeded),
            Columns.Text("Duration", ColumnDescriptions.JobDuration),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.Text("Selector", ColumnDescriptions.JobSelector, 1))
        .On<V1Job>((job, now) =>
        {
            var (names, images) = Print.Containers(job.Spec?.Template?.Spec?.Containers);
            return
            [
                Print.NameOf(job.Metadata), JobStatus(job), Completions(job), Duration(job.Status, now),
                Print.Age(job.Metadata, now), names, images, Print.LabelSelector(job.Spec?.Selector),
            ];
        });

    private static string JobStatus(V1Job job)
    {
        var conditions = job.Status?.Conditions;
        if (HasCondition(conditions, "Complete"))
        {
            return "Complete";
        }
        if (HasCondition(conditions, "Failed"))
        {
            return "Failed";
        }
        if (job.Metadata?.DeletionTimestamp != null)
        {
            return "Terminating";
        }
        if (HasCondition(conditions, "Suspended"))
        {
            return "Suspended";
        }
        return HasCondition(conditions, "FailureTarget") ? "FailureTarget" : "Running";
    }

    /// <summary>Only the first condition of a type is consulted.</summary>
    private static bool HasCondition(IList<V1JobCondition>? conditions, string type)
    {
        foreach (var c in conditions ?? [])
        {
            if (c.Type == type)
            {
                return c.Status == "True";
            }
        }
        return false;
    }

    private static string Completions(V1Job job)
    {
        var succeeded = job.Status?.Succeeded ?? 0;
        if (job.Spec?.Completions is { } completions)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{succeeded}/{completions}");
        }
        var parallelism = job.Spec?.Parallelism ?? 0;
        return parallelism > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1 of {parallelism}")
            : string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1");
    }

    private static string Duration(V1JobStatus? status, DateTime now)
    {
        if (status?.StartTime is not { } start)
        {
            return "";
        }
        return status.CompletionTime is { } end
            ? HumanDuration.Format(HumanDuration.Utc(end) - HumanDuration.Utc(start))
            : HumanDuration.Format(now - HumanDuration.Utc(start));
    }

    public static TablePrinter CronJob() => new TablePrinter(
            Columns.Name,
            Columns.Text("Schedule", ColumnDescriptions.CronJobSchedule),
            Columns.Text("Timezone", ColumnDescriptions.CronJobTimeZone),
            Columns.Boolean("Suspend", ColumnDescriptions.CronJobSuspend),
            Columns.Integer("Active", ColumnDescriptions.CronJobActive),
            Columns.Text("Last Schedule", ColumnDescriptions.CronJobLastSchedule),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.Text("Selector", ColumnDescriptions.JobSelector, 1))
        .On<V1CronJob>((cj, now) =>
        {
            var jobSpec = cj.Spec?.JobTemplate?.Spec;
            var (names, images) = Print.Containers(jobSpec?.Template?.Spec?.Containers);
            var lastSchedule = cj.Status?.LastScheduleTime is { } last ? HumanDuration.Since(last, now) : Print.None;
            return
            [
                Print.NameOf(cj.Metadata), cj.Spec?.Schedule ?? "", cj.Spec?.TimeZone ?? Print.None,
                // Declared boolean, but upstream sends the text True/False/<unset>.
                Print.BoolPointer(cj.Spec?.Suspend), (long)(cj.Status?.Active?.Count ?? 0), lastSchedule,
                Print.Age(cj.Metadata, now), names, images, Print.LabelSelector(jobSpec?.Selector),
            ];
        });
}
