using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>The generic metadata rules every kind's objects must follow.</summary>
internal static class MetadataValidation
{
    public static IEnumerable<FieldError> Validate(ResourceDefinition def, V1ObjectMeta meta)
    {
        if (string.IsNullOrEmpty(meta.Name))
        {
            yield return FieldError.Required("metadata.name", "name or generateName is required");
        }
    }
}
