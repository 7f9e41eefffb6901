namespace Coxswain.Api.Schema;

/// <summary>
/// The patch strategies, merge keys and list types that upstream keeps in Go struct tags
/// (see shared/reference/patch-merge-keys.md), applied to the reflected schemas.
/// STUB: to be filled with the full table.
/// </summary>
internal static class PatchMetadata
{
    public static void Apply(TypeSchema obj)
    {
    }
}
