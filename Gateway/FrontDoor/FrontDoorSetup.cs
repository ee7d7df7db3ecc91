using LivepeerAspire.Gateway.Api;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LivepeerAspire.Gateway.FrontDoor;

/// <summary>
/// The front door: one address (the gateway port, 9935) spreading requests over gateway replicas with YARP's
/// power-of-two-choices (fewer requests in flight wins), probing each replica's <c>/alive</c> every
/// <see cref="FrontDoorOptions.HealthInterval"/> (two failures in a row take it out, one success brings it back). YARP's
/// passive check (transport failure rate over a minute) is not used: after a replica restarts it kept taking it out
/// again for up to a minute on the failures of its death. It keeps no state: everything a job needs is in the replicas and their shared Redis.
/// A request that could not even connect to a replica (it died, or is restarting) is sent to another one: nothing
/// reached the dead one, so nothing was paid twice. A replica that dies with requests in flight fails those requests
/// (502 with a JSON reason); they are not replayed, because the replica may already have paid for them.
/// </summary>
public static class FrontDoorSetup
{
    public const string ReplicaHeader = "Livepeer-Gateway-Replica";

    public static bool IsFrontDoor(this WebApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration[$"{FrontDoorOptions.Section}:{nameof(FrontDoorOptions.Replicas)}"]);

    public static WebApplicationBuilder AddFrontDoor(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(FrontDoorOptions.Section).Get<FrontDoorOptions>() ?? new FrontDoorOptions();
        var replicas = options.ReplicaUris();
        if (replicas.Count == 0 || replicas.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != replicas.Count)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(FrontDoorOptions), typeof(FrontDoorOptions),
                [$"FrontDoor:Replicas '{options.Replicas}' must name at least one replica, each name once"]);
        }

        var destinations = replicas.ToDictionary(d => d.Name, d => new DestinationConfig { Address = d.Uri.ToString(), Health = d.Uri.ToString() });
        var cluster = new ClusterConfig
        {
            ClusterId = "gateways",
            LoadBalancingPolicy = "PowerOfTwoChoices",
            Destinations = destinations,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig { Enabled = true, Interval = options.HealthInterval, Timeout = TimeSpan.FromSeconds(5), Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures, Path = "/alive" },
            },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = options.ActivityTimeout },
        };
        var route = new RouteConfig { RouteId = "all", ClusterId = "gateways", Match = new RouteMatch { Path = "{**rest}" } };
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        return builder;
    }

    public static WebApplication MapFrontDoor(this WebApplication app)
    {
        app.Logger.LogInformation("front door for {Count} gateway replicas: {Replicas}", app.Configuration[$"{FrontDoorOptions.Section}:{nameof(FrontDoorOptions.Replicas)}"]?.Split(',').Length,
            app.Configuration[$"{FrontDoorOptions.Section}:{nameof(FrontDoorOptions.Replicas)}"]);
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(async (context, next) =>
            {
                context.Request.EnableBuffering();
                var feature = context.Features.Get<IReverseProxyFeature>()!;
                var candidates = feature.AvailableDestinations;
                var tried = new HashSet<string>(StringComparer.Ordinal);
                context.Response.OnStarting(() =>
                {
                    if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is { } destination)
                    {
                        context.Response.Headers[ReplicaHeader] = destination.DestinationId;
                    }

                    return Task.CompletedTask;
                });
                while (true)
                {
                    await next().ConfigureAwait(false);
                    if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.Response.HasStarted || !NeverConnected(error)
                        || feature.ProxiedDestination is not { } failed)
                    {
                        break;
                    }

                    tried.Add(failed.DestinationId);
                    var others = candidates.Where(d => !tried.Contains(d.DestinationId)).ToList();
                    if (others.Count == 0)
                    {
                        break;
                    }

                    // Nothing reached the replica: send the same request to another one.
                    feature.AvailableDestinations = others;
                    context.Features.Set<IForwarderErrorFeature>(null);
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    context.Request.Body.Position = 0;
                }

                await ExplainFailureAsync(context).ConfigureAwait(false);
            });
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
        });
        return app;
    }

    private static bool NeverConnected(IForwarderErrorFeature error) =>
        error.Error == ForwarderError.Request && error.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };

    /// <summary>YARP answers a failed forward with an empty 502/503/504; clients get the reason in the gateway's error shape.</summary>
    private static async Task ExplainFailureAsync(HttpContext context)
    {
        if (context.Response.HasStarted || context.Response.StatusCode < 500)
        {
            return;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        var destination = context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.DestinationId;
        string? message;
        if (error is not null && NeverConnected(error))
        {
            // Every replica tried refused the connection: nothing ran anywhere, so the client may simply retry.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            message = $"no gateway replica could be reached (last tried: {destination ?? "none"}: {error.Exception?.Message}); nothing was run or paid, retry shortly";
        }
        else if (error is not null)
        {
            message = $"gateway {destination ?? "replica"} failed before answering ({error.Error}{(error.Exception is { } e ? ": " + e.Message : "")}); the job may or may not have run there, so it was not sent again";
        }
        else
        {
            message = context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable && destination is null
                ? "no gateway replica is healthy right now; retry shortly"
                : null;
        }

        if (message is null)
        {
            return;
        }

        if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        await ErrorWriter.Livepeer(context, context.Response.StatusCode, message).ConfigureAwait(false);
    }
}
