using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>The generic metadata rules every kind's objects follow (upstream's ValidateObjectMeta[Update]).</summary>
internal static class MetadataValidation
{
    public static IEnumerable<FieldError> Validate(ResourceDefinition def, V1ObjectMeta meta, V1ObjectMeta? old = null)
    {
        var errors = ObjectMetaValidation.ValidateObjectMeta(meta, def.Namespaced, def.NameRule);
        if (old != null)
        {
            errors.AddRange(ObjectMetaValidation.ValidateObjectMetaUpdate(meta, old));
        }
        return errors;
    }
}
