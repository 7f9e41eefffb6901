namespace Coxswain.Api.Selectors;

/// <summary>
/// A parsed field selector (<c>metadata.name=x,status.phase!=Running</c>).
/// STUB: to be replaced by the full parser.
/// </summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new();

    /// <summary>Parses a selector; throws <see cref="Errors.ApiException"/> (400 BadRequest) on bad syntax.</summary>
    public static FieldSelector Parse(string? text) => Everything;

    public bool IsEverything => true;

    /// <summary>The value a requirement asks metadata.name to equal, if any (lets a list become a get).</summary>
    public string? RequiredName => null;

    /// <summary>Throws 400 BadRequest when a field is not one the kind supports.</summary>
    public void CheckSupported(IEnumerable<string> supportedFields, string kindDescription)
    {
    }

    public bool Matches(Func<string, string?> fieldValue) => true;
}
