using System.Text;
using System.Text.Json;
using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Secrets (core/v1): stringData folds into data; typed secrets need their keys.</summary>
public sealed class SecretStrategy : KindStrategy<V1Secret>
{
    /// <summary>Data of a Secret or ConfigMap may not exceed 1 MiB in total.</summary>
    public const int MaxSize = 1024 * 1024;

    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";

    public override void Default(V1Secret obj)
    {
        if (string.IsNullOrEmpty(obj.Type))
        {
            obj.Type = "Opaque";
        }
        // The v1 conversion writes stringData over data; only data is ever stored or returned.
        if (obj.StringData is { Count: > 0 })
        {
            obj.Data ??= new Dictionary<string, byte[]>();
            foreach (var (k, v) in obj.StringData)
            {
                obj.Data[k] = Encoding.UTF8.GetBytes(v ?? "");
            }
        }
        obj.StringData = null;
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Secret obj)
    {
        var errs = new List<FieldError>();
        var data = obj.Data ?? new Dictionary<string, byte[]>();
        long total = 0;
        foreach (var (k, v) in data)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Key("data", k), k, ValidationRules.IsConfigMapKey(k)));
            total += v?.Length ?? 0;
        }
        if (total > MaxSize)
        {
            errs.Add(FieldChecks.TooLong("data", MaxSize));
        }
        switch (obj.Type)
        {
            case "kubernetes.io/service-account-token":
                if (string.IsNullOrEmpty(obj.Metadata?.Annotations.Get(ServiceAccountNameAnnotation)))
                {
                    errs.Add(FieldError.Required(FieldChecks.Key("metadata.annotations", ServiceAccountNameAnnotation)));
                }
                break;
            case "kubernetes.io/dockercfg":
                errs.AddRange(JsonKey(data, ".dockercfg"));
                break;
            case "kubernetes.io/dockerconfigjson":
                errs.AddRange(JsonKey(data, ".dockerconfigjson"));
                break;
            case "kubernetes.io/basic-auth":
                if (!data.ContainsKey("username") && !data.ContainsKey("password"))
                {
                    errs.Add(FieldError.Required(FieldChecks.Key("data", "username")));
                    errs.Add(FieldError.Required(FieldChecks.Key("data", "password")));
                }
                break;
            case "kubernetes.io/ssh-auth":
                if ((data.Get("ssh-privatekey")?.Length ?? 0) == 0)
                {
                    errs.Add(FieldError.Required(FieldChecks.Key("data", "ssh-privatekey")));
                }
                break;
            case "kubernetes.io/tls":
                if (!data.ContainsKey("tls.crt"))
                {
                    errs.Add(FieldError.Required(FieldChecks.Key("data", "tls.crt")));
                }
                if (!data.ContainsKey("tls.key"))
                {
                    errs.Add(FieldError.Required(FieldChecks.Key("data", "tls.key")));
                }
                break;
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1Secret obj, V1Secret old)
    {
        var errs = FieldChecks.Immutable(obj.Type, old.Type, "type").ToList();
        if (old.Immutable == true)
        {
            if (obj.Immutable != true)
            {
                errs.Add(FieldError.Forbidden("immutable", "field is immutable when `immutable` is set"));
            }
            if (!ObjectJson.SemanticEquals(obj.Data, old.Data))
            {
                errs.Add(FieldError.Forbidden("data", "field is immutable when `immutable` is set"));
            }
        }
        errs.AddRange(ValidateCreate(obj));
        return errs;
    }

    private static List<FieldError> JsonKey(IDictionary<string, byte[]> data, string key)
    {
        var path = FieldChecks.Key("data", key);
        if (!data.TryGetValue(key, out var bytes))
        {
            return [FieldError.Required(path)];
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes ?? []);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? []
                : [FieldError.Invalid(path, "<secret contents redacted>", $"json: cannot unmarshal {doc.RootElement.ValueKind.ToString().ToLowerInvariant()} into Go value of type map[string]interface {{}}")];
        }
        catch (JsonException e)
        {
            return [FieldError.Invalid(path, "<secret contents redacted>", e.Message)];
        }
    }
}

/// <summary>ConfigMaps (core/v1).</summary>
public sealed class ConfigMapStrategy : KindStrategy<V1ConfigMap>
{
    public override IEnumerable<FieldError> ValidateCreate(V1ConfigMap obj)
    {
        var errs = new List<FieldError>();
        long total = 0;
        var binary = obj.BinaryData ?? new Dictionary<string, byte[]>();
        foreach (var (k, v) in obj.Data ?? new Dictionary<string, string>())
        {
            var p = FieldChecks.Key("data", k);
            errs.AddRange(FieldChecks.Messages(p, k, ValidationRules.IsConfigMapKey(k)));
            if (binary.ContainsKey(k))
            {
                errs.Add(FieldError.Invalid(p, k, "duplicate of key present in binaryData"));
            }
            total += Encoding.UTF8.GetByteCount(v ?? "");
        }
        foreach (var (k, v) in binary)
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Key("binaryData", k), k, ValidationRules.IsConfigMapKey(k)));
            total += v?.Length ?? 0;
        }
        if (total > SecretStrategy.MaxSize)
        {
            // Upstream reports this on the empty path: the error is about the whole object.
            errs.Add(FieldChecks.TooLong("", SecretStrategy.MaxSize));
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1ConfigMap obj, V1ConfigMap old)
    {
        var errs = new List<FieldError>();
        if (old.Immutable == true)
        {
            if (obj.Immutable != true)
            {
                errs.Add(FieldError.Forbidden("immutable", "field is immutable when `immutable` is set"));
            }
            if (!ObjectJson.SemanticEquals(obj.Data, old.Data))
            {
                errs.Add(FieldError.Forbidden("data", "field is immutable when `immutable` is set"));
            }
            if (!ObjectJson.SemanticEquals(obj.BinaryData, old.BinaryData))
            {
                errs.Add(FieldError.Forbidden("binaryData", "field is immutable when `immutable` is set"));
            }
        }
        errs.AddRange(ValidateCreate(obj));
        return errs;
    }
}
