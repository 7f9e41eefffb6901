namespace Coxswain.ApiServer.Tests.Api;

internal static class TestObjectsJson
{
    public const string DeploymentWithUnknownField = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"foo":"bar","replicas":1,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}}
        """;
}
