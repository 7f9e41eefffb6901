namespace Coxswain.Api.Selectors;

/// <summary>
/// A parsed label selector in upstream's string syntax (<c>a=b,c!=d,e in (f,g),!h</c>).
/// STUB: to be replaced by the full parser.
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new();

    /// <summary>Parses a selector; throws <see cref="Errors.ApiException"/> (400 BadRequest) on bad syntax.</summary>
    public static LabelSelector Parse(string? text) => Everything;

    public bool IsEverything => true;

    public bool Matches(IDictionary<string, string>? labels) => true;

    /// <summary>The selector of a metav1.LabelSelector (nil selects nothing, empty everything).</summary>
    public static LabelSelector FromLabelSelector(k8s.Models.V1LabelSelector? selector) => Everything;

    public override string ToString() => "";
}
