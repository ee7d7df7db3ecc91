using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.SharedState;

/// <summary>
/// Shared state for gateway replicas when <c>ConnectionStrings:redis</c> is set: Aspire's Redis client (health check,
/// tracing, logging), the Redis implementations of the sender nonces, the ticket-params store and the async results, and
/// the relay of freed slots and speed samples between replicas.
/// Without it the in-process implementations stay, and the gateway behaves as a single gateway always did.
/// </summary>
internal static class SharedStateSetup
{
    private const string Key = "ConnectionStrings:" + SharedStateOptions.ConnectionName;

    public static WebApplicationBuilder AddGatewaySharedState(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton<ITicketParamsStore, LocalTicketParamsStore>();
        var connection = builder.Configuration.GetConnectionString(SharedStateOptions.ConnectionName);
        if (string.IsNullOrWhiteSpace(connection))
        {
            return builder;
        }

        var options = builder.Configuration.GetSection(SharedStateOptions.Section).Get<SharedStateOptions>() ?? new SharedStateOptions();
        try
        {
            ConfigurationOptions.Parse(connection);
        }
        catch (ArgumentException e)
        {
            if (!options.RedisOptional)
            {
                throw Refuse(connection, $"it cannot be read: {e.Message}");
            }

            services.AddSingleton(new SkippedRedis($"{Key} = '{connection}' cannot be read ({e.Message}); SharedState:RedisOptional is true, so this gateway keeps all state to itself"));
            return builder;
        }

        builder.AddRedisClient(SharedStateOptions.ConnectionName, configureOptions: o =>
        {
            // Start even when Redis is away (the check below decides whether that is allowed), and fail commands fast.
            o.AbortOnConnectFail = false;
            o.ConnectTimeout = (int)Math.Min(int.MaxValue, options.CommandTimeout.TotalMilliseconds * 2);
            o.AsyncTimeout = (int)Math.Min(int.MaxValue, options.CommandTimeout.TotalMilliseconds);
            o.SyncTimeout = o.AsyncTimeout;
            o.ReconnectRetryPolicy = new LinearRetry(500);
        });
        services.AddSingleton<SharedRedis>();
        services.AddSingleton<RedisSenderNonces>();
        services.AddSingleton<ISenderNonces>(sp => sp.GetRequiredService<RedisSenderNonces>());
        services.Replace(ServiceDescriptor.Singleton<ITicketParamsStore, RedisTicketParamsStore>());
        services.AddSingleton<IAsyncResultStore, RedisAsyncResultStore>();
        services.AddHostedService<ReplicaRelay>();
        return builder;
    }

    /// <summary>At start: a Redis that does not answer refuses start (key and reason) unless SharedState:RedisOptional.</summary>
    public static void CheckSharedState(this WebApplication app)
    {
        if (app.Services.GetService<SkippedRedis>() is { } skipped)
        {
            app.Logger.LogWarning("{Reason}", skipped.Reason);
            return;
        }

        if (app.Services.GetService<IConnectionMultiplexer>() is not { } redis)
        {
            return;
        }

        var options = app.Services.GetRequiredService<IOptions<SharedStateOptions>>().Value;
        var connection = app.Configuration.GetConnectionString(SharedStateOptions.ConnectionName)!;
        try
        {
            redis.GetDatabase().Ping();
            app.Logger.LogInformation("shared state in Redis at {Endpoints} (key prefix {Prefix})",
                string.Join(", ", redis.GetEndPoints().Select(e => e.ToString())), options.KeyPrefix);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            if (!options.RedisOptional)
            {
                throw Refuse(connection, $"Redis does not answer: {e.Message}. Start redis-server there, or set SharedState:RedisOptional=true to start on local state");
            }

            app.Logger.LogWarning("Redis at {Connection} does not answer ({Error}); SharedState:RedisOptional is true, so this gateway starts on local state and uses Redis once it answers",
                connection, e.Message);
        }
    }

    private static OptionsValidationException Refuse(string connection, string reason) =>
        new(nameof(SharedStateOptions), typeof(SharedStateOptions), [$"{Key} (ConnectionStrings__{SharedStateOptions.ConnectionName}) = '{Redact(connection)}': {reason}"]);

    /// <summary>A password in a connection string is not printed.</summary>
    private static string Redact(string connection) =>
        string.Join(',', connection.Split(',').Select(part => part.Trim().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part));

    private sealed record SkippedRedis(string Reason);
}
