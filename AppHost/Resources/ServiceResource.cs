using System.Reflection;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// A service of this solution (gateway, orchestrator, simulator, Ollama shim), run from its built binary.
/// Aspire's <c>AddProject</c> starts a project through <c>dotnet run</c>, and on this 2-core machine that wrapper
/// cost about 2 s of start-up per step of the WaitFor chain and 6 s at every stop (docs/apphost.md, "Start-up and
/// shutdown"); the built binary starts in well under a second and stops on SIGTERM. The manifest still describes it
/// as the .NET project it is (<c>project.v0</c>), so deployment tools build and containerise it as usual.
/// </summary>
public sealed class ServiceResource(string name, string command, string workingDirectory, string projectPath)
    : ExecutableResource(name, command, workingDirectory), IResourceWithServiceDiscovery
{
    /// <summary>The .csproj this service is built from.</summary>
    public string ProjectPath { get; } = projectPath;
}

internal static class ServiceResourceExtensions
{
    /// <summary>
    /// Adds a service of this solution listening on <c><paramref name="scheme"/>://127.0.0.1:<paramref name="port"/></c>
    /// (not proxied, so the URL the service is given is the URL it serves), with OTLP export to the dashboard and
    /// /health gating. The endpoint is named after its scheme, so references read <c>services__name__https__0</c>.
    /// </summary>
    public static IResourceBuilder<ServiceResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name, int port, string scheme = "http")
        where TProject : IProjectMetadata, new()
    {
        var projectPath = new TProject().ProjectPath;
        var binary = BuiltBinary(projectPath);
        if (builder.ExecutionContext.IsRunMode && !File.Exists(binary))
        {
            throw new InvalidOperationException($"{Path.GetFileNameWithoutExtension(projectPath)} is not built: {binary} is missing (run: dotnet build {projectPath} -c {Configuration})");
        }

        var resource = new ServiceResource(name, binary, Path.GetDirectoryName(projectPath)!, projectPath);
        var service = builder.AddResource(resource)
            .WithAnnotation<IProjectMetadata>(new TProject())
            .WithEndpoint(port: port, targetPort: port, scheme: scheme, name: scheme, isProxied: false)
            .WithEndpoint(scheme, e => e.TargetHost = "127.0.0.1")
            .WithOtlpExporter()
            .WithManifestPublishingCallback(context => WriteProjectAsync(context, resource));
        var url = $"{scheme}://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var healthCheck = $"{name}_health";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck, _ => new LoopbackHealthCheck(url), failureStatus: null, tags: null));
        service.WithHealthCheck(healthCheck);
        if (builder.ExecutionContext.IsRunMode)
        {
            service.WithEnvironment("ASPNETCORE_URLS", url).WithEnvironment("DOTNET_NOLOGO", "1");
        }

        return service;
    }

    /// <summary>The service's endpoint, for references and expressions (<c>{name.bindings.https.url}</c> in the manifest).</summary>
    public static EndpointReference Endpoint(this IResourceBuilder<ServiceResource> service) =>
        service.GetEndpoint(service.Resource.Annotations.OfType<EndpointAnnotation>().Single().Name);

    /// <summary>The service's URL as every other service sees it (loopback, its fixed port).</summary>
    public static string Url(this IResourceBuilder<ServiceResource> service)
    {
        var endpoint = service.Resource.Annotations.OfType<EndpointAnnotation>().Single();
        return $"{endpoint.UriScheme}://127.0.0.1:{endpoint.Port}";
    }

    /// <summary>The configuration the AppHost itself was built in; its services are built alongside in the same one.</summary>
    public static string Configuration =>
        typeof(ServiceResourceExtensions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string BuiltBinary(string projectPath)
    {
        var name = Path.GetFileNameWithoutExtension(projectPath);
        return Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", Configuration, "net10.0", name);
    }

    private static async Task WriteProjectAsync(ManifestPublishingContext context, ServiceResource resource)
    {
        context.Writer.WriteString("type", "project.v0");
        context.Writer.WriteString("path", context.GetManifestRelativePath(resource.ProjectPath));
        await context.WriteEnvironmentVariablesAsync(resource);
        context.WriteBindings(resource);
    }
}
