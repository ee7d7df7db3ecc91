namespace LivepeerAspire.AppHost.Hosting;

/// <summary>Fluent handle on a resource, as Aspire's <c>IResourceBuilder&lt;T&gt;</c>.</summary>
public interface IResourceBuilder<out T>
    where T : Resource
{
    T Resource { get; }

    DistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class ResourceBuilder<T>(T resource, DistributedApplicationBuilder applicationBuilder) : IResourceBuilder<T>
    where T : Resource
{
    public T Resource { get; } = resource;

    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
}

public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : Resource => builder.WithEnvironment(name, () => value);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string> value)
        where T : Resource
    {
        var env = builder.Resource.Environment;
        env.RemoveAll(e => e.Key == name);
        env.Add(new(name, value));
        return builder;
    }

    /// <summary>Environment computed at start time, once this resource's dependencies are healthy.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>> callback)
        where T : Resource
    {
        builder.Resource.EnvironmentCallbacks.Add(callback);
        return builder;
    }

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args)
        where T : Resource
    {
        builder.Resource.Args.AddRange(args);
        return builder;
    }

    /// <summary>
    /// Gives the resource an HTTP endpoint on 127.0.0.1: <paramref name="port"/>, or a free port allocated now
    /// when it is null or 0. Projects receive it as <c>ASPNETCORE_URLS</c>; executables as "{port}" in their
    /// arguments and the <c>PORT</c> variable; containers publish it to <paramref name="targetPort"/>.
    /// </summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null)
        where T : Resource
    {
        builder.Resource.SetEndpoint(port, "http");
        builder.Resource.TargetPort = targetPort;
        if (builder.Resource.HealthCheck == HealthCheck.ProcessUp)
        {
            builder.Resource.HealthCheck = builder.Resource.Kind == ResourceKind.Executable ? HealthCheck.Tcp : HealthCheck.Http();
        }

        return builder;
    }

    /// <summary>A plain TCP endpoint (redis and the like), health-checked by connecting to it.</summary>
    public static IResourceBuilder<T> WithTcpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null)
        where T : Resource
    {
        builder.Resource.SetEndpoint(port, "tcp");
        builder.Resource.TargetPort = targetPort;
        builder.Resource.HealthCheck = HealthCheck.Tcp;
        return builder;
    }

    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health")
        where T : Resource
    {
        builder.Resource.HealthCheck = HealthCheck.Http(path);
        return builder;
    }

    /// <summary>
    /// Aspire's service-discovery convention: <c>services__{name}__http__{i}</c> for every replica of
    /// <paramref name="source"/>, or <c>ConnectionStrings__{name}</c> for a connection string.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> source)
        where T : Resource
    {
        var target = source.Resource;
        builder.Resource.References.Add(target);
        switch (target)
        {
            case ConnectionStringResource cs:
                builder.WithEnvironment($"ConnectionStrings__{cs.Name}", cs.ConnectionString);
                break;
            case ExternalResource ext:
                builder.WithEnvironment($"services__{ext.Name}__http__0", ext.ExternalUrl.ToString().TrimEnd('/'));
                break;
            default:
                if (!target.HasEndpoint)
                {
                    throw new InvalidOperationException($"'{builder.Resource.Name}' references '{target.Name}', which has no endpoint.");
                }

                for (var i = 0; i < target.Replicas; i++)
                {
                    var replica = i;
                    builder.WithEnvironment($"services__{target.Name}__{target.Scheme}__{replica}", () => target.Url(replica));
                }

                break;
        }

        return builder;
    }

    /// <summary>Start this resource only once every instance of <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency)
        where T : Resource
    {
        if (!builder.Resource.WaitForResources.Contains(dependency.Resource))
        {
            builder.Resource.WaitForResources.Add(dependency.Resource);
        }

        return builder;
    }

    /// <summary>
    /// Start this resource once every instance of <paramref name="dependency"/> is healthy or has given up (failed,
    /// exited, unavailable): a broken dependency delays it until it settles, but does not block it.
    /// </summary>
    public static IResourceBuilder<T> WaitForHealthyOrFailed<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency)
        where T : Resource
    {
        builder.WaitFor(dependency);
        builder.Resource.TolerantWaits.Add(dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : Resource
    {
        builder.Resource.SetReplicas(replicas);
        return builder;
    }

    public static IResourceBuilder<T> WithRestartPolicy<T>(this IResourceBuilder<T> builder, RestartPolicy policy)
        where T : Resource
    {
        builder.Resource.RestartPolicy = policy;
        return builder;
    }

    /// <summary>Print this resource's URL under <paramref name="label"/> once everything is healthy.</summary>
    public static IResourceBuilder<T> WithDisplayUrl<T>(this IResourceBuilder<T> builder, string label)
        where T : Resource
    {
        builder.Resource.DisplayLabel = label;
        return builder;
    }

    public static IResourceBuilder<T> WithAnnotation<T>(this IResourceBuilder<T> builder, string key, string value)
        where T : Resource
    {
        builder.Resource.Annotations[key] = value;
        return builder;
    }
}
