namespace Coxswain.Api.OpenApi;

/// <summary>One parameter of an operation: a query parameter or a path segment.</summary>
internal sealed record ApiParameter(string Name, string In, string Type, string Description, bool Required = false);

/// <summary>The parameters upstream documents on its REST operations (meanings as in metav1 options).</summary>
internal static class ApiParameters
{
    public static readonly ApiParameter Pretty = Query("pretty", "string",
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).");

    public static readonly ApiParameter Namespace = new("namespace", "path", "string",
        "object name and auth scope, such as for teams and projects", Required: true);

    public static ApiParameter Name(string kind) => new("name", "path", "string", "name of the " + kind, Required: true);

    public static readonly ApiParameter DryRun = Query("dryRun", "string",
        "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed");

    public static readonly ApiParameter FieldManager = Query("fieldManager", "string",
        "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.");

    public static readonly ApiParameter PatchFieldManager = Query("fieldManager", "string",
        "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).");

    public static readonly ApiParameter FieldValidation = Query("fieldValidation", "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.");

    public static readonly ApiParameter Force = Query("force", "boolean",
        "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.");

    public static readonly ApiParameter GracePeriodSeconds = Query("gracePeriodSeconds", "integer",
        "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.");

    public static readonly ApiParameter OrphanDependents = Query("orphanDependents", "boolean",
        "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both.");

    public static readonly ApiParameter PropagationPolicy = Query("propagationPolicy", "string",
        "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.");

    public static readonly ApiParameter AllowWatchBookmarks = Query("allowWatchBookmarks", "boolean",
        "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.");

    public static readonly ApiParameter Continue = Query("continue", "string",
        "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize.");

    public static readonly ApiParameter FieldSelector = Query("fieldSelector", "string",
        "A selector to restrict the list of returned objects by their fields. Defaults to everything.");

    public static readonly ApiParameter LabelSelector = Query("labelSelector", "string",
        "A selector to restrict the list of returned objects by their labels. Defaults to everything.");

    public static readonly ApiParameter Limit = Query("limit", "integer",
        "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.");

    public static readonly ApiParameter ResourceVersion = Query("resourceVersion", "string",
        "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset");

    public static readonly ApiParameter ResourceVersionMatch = Query("resourceVersionMatch", "string",
        "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset");

    public static readonly ApiParameter SendInitialEvents = Query("sendInitialEvents", "boolean",
        "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection.");

    public static readonly ApiParameter TimeoutSeconds = Query("timeoutSeconds", "integer",
        "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.");

    public static readonly ApiParameter Watch = Query("watch", "boolean",
        "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.");

    public static readonly IReadOnlyList<ApiParameter> List =
    [
        AllowWatchBookmarks, Continue, FieldSelector, LabelSelector, Limit, ResourceVersion,
        ResourceVersionMatch, SendInitialEvents, TimeoutSeconds, Watch,
    ];

    public static readonly IReadOnlyList<ApiParameter> Create = [DryRun, FieldManager, FieldValidation];
    public static readonly IReadOnlyList<ApiParameter> Replace = [DryRun, FieldManager, FieldValidation];
    public static readonly IReadOnlyList<ApiParameter> PatchParameters = [DryRun, PatchFieldManager, FieldValidation, Force];
    public static readonly IReadOnlyList<ApiParameter> Delete = [DryRun, GracePeriodSeconds, OrphanDependents, PropagationPolicy];

    public static readonly IReadOnlyList<ApiParameter> DeleteCollection =
    [
        Continue, DryRun, FieldSelector, GracePeriodSeconds, LabelSelector, Limit, OrphanDependents,
        PropagationPolicy, ResourceVersion, ResourceVersionMatch, SendInitialEvents, TimeoutSeconds,
    ];

    private static ApiParameter Query(string name, string type, string description) => new(name, "query", type, description);
}
