using LivepeerAspire.Gateway.Api;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LivepeerAspire.Gateway.FrontDoor;

/// <summary>
/// The front door: one address (the gateway port, 9935) spreading requests over gateway replicas with YARP's
/// power-of-two-choices (fewer requests in flight wins), probing each replica's <c>/alive</c> and taking out one that
/// fails at the transport. It keeps no state: everything a job needs is in the replicas and their shared Redis.
/// A replica that dies with requests in flight fails those requests (502 with a JSON reason); POST jobs are not
/// replayed, because the replica may already have paid for them.
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
                Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate, ReactivationPeriod = options.ReactivationPeriod },
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
                context.Response.OnStarting(() =>
                {
                    if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is { } destination)
                    {
                        context.Response.Headers[ReplicaHeader] = destination.DestinationId;
                    }

                    return Task.CompletedTask;
                });
                await next().ConfigureAwait(false);
                await ExplainFailureAsync(context).ConfigureAwait(false);
            });
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>YARP answers a failed forward with an empty 502/503/504; clients get the reason in the gateway's error shape.</summary>
    private static async Task ExplainFailureAsync(HttpContext context)
    {
        if (context.Response.HasStarted || context.Response.StatusCode < 500)
        {
            return;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        var destination = context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.DestinationId;
        string? message = error is not null
            ? $"gateway {destination ?? "replica"} failed before answering ({error.Error}{(error.Exception is { } e ? ": " + e.Message : "")}); the job may or may not have run there, so it was not sent again"
            : context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable && destination is null
                ? "no gateway replica is healthy right now; retry shortly"
                : null;
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
