using System.Threading.RateLimiting;
using LivepeerAspire.Gateway.Access.Storage;
using LivepeerAspire.Gateway.Payments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Access control (<c>Access:Enabled</c>): API keys, budgets, rate limits and usage rows in SQLite or PostgreSQL.
/// Off, the gateway is open as before and the job path's hook does nothing.
/// </summary>
public static class AccessSetup
{
    public static WebApplicationBuilder AddGatewayAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(AccessOptions.Section);
        services.AddOptions<AccessOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        var options = section.Get<AccessOptions>() ?? new AccessOptions();
        if (!options.Enabled)
        {
            services.TryAddSingleton<IJobAccounting, OpenAccess>();
            return builder;
        }

        var connection = builder.Configuration.GetConnectionString(AccessOptions.ConnectionName);
        if (string.IsNullOrWhiteSpace(connection))
        {
            connection = options.IsPostgres
                ? throw new InvalidOperationException("Access:Provider=postgres needs ConnectionStrings:access (Host=…;Port=…;Username=…;Database=…)")
                : $"Data Source={Path.Combine(builder.Environment.ContentRootPath, "access.db")}";
        }

        services.TryAddSingleton<IAccessStore>(_ => new SqlAccessStore(options.Provider, connection));
        services.AddSingleton<KeyRegistry>();
        services.AddSingleton<SpendLedger>();
        services.AddSingleton<KeyRateLimits>();
        services.AddSingleton<UsageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageRecorder>());
        services.AddSingleton<IJobAccounting, KeyJobAccounting>();
        DecoratePaymentSender(services);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.RequestServices.GetRequiredService<KeyRateLimits>().RequestsPartition(context));
            limiter.OnRejected = async (rejected, _) =>
            {
                var context = rejected.HttpContext;
                var retry = KeyRateLimits.RetryAfterSeconds(rejected.Lease);
                context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var key = context.Items[AccessMiddleware.KeyItem] as AccessKey;
                var rpm = key is null ? null : context.RequestServices.GetRequiredService<KeyRateLimits>().RequestsPerMinute(key);
                await AccessMiddleware.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                    $"API key '{key?.Name}' is over its limit of {rpm} requests per minute; retry after {retry} s").ConfigureAwait(false);
            };
        });
        return builder;
    }

    /// <summary>Opens the database (migrating it), loads keys and spend, and puts authentication and rate limits in front of the routes.</summary>
    public static WebApplication UseGatewayAccess(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AccessOptions>>().Value;
        app.MapAccessAdminApi(options.Enabled);
        if (!options.Enabled)
        {
            return app;
        }

        InitializeAsync(app, options).GetAwaiter().GetResult();
        app.UseMiddleware<AccessMiddleware>();
        app.UseRateLimiter();
        return app;
    }

    private static async Task InitializeAsync(WebApplication app, AccessOptions options)
    {
        var store = app.Services.GetRequiredService<IAccessStore>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                using var timeout = new CancellationTokenSource(options.StartupTimeout);
                await store.MigrateAsync(timeout.Token).ConfigureAwait(false);
                await app.Services.GetRequiredService<KeyRegistry>().LoadAsync(timeout.Token).ConfigureAwait(false);
                app.Services.GetRequiredService<SpendLedger>().Load(await store.SpentByKeyAsync(timeout.Token).ConfigureAwait(false));
                break;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or System.Net.Sockets.SocketException
                                      && time.GetElapsedTime(started) < options.StartupTimeout)
            {
                app.Logger.LogInformation("waiting for the access database ({Provider}): {Error}", options.Provider, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), time).ConfigureAwait(false);
            }
        }

        app.Logger.LogInformation("access control on: {Keys} API keys, usage in {Provider}", app.Services.GetRequiredService<KeyRegistry>().All.Count, options.Provider);
    }

    private static void DecoratePaymentSender(IServiceCollection services)
    {
        var inner = services.Last(d => d.ServiceType == typeof(IPaymentSender));
        services.Replace(ServiceDescriptor.Singleton<IPaymentSender>(sp => new BudgetedPaymentSender(
            inner.ImplementationInstance as IPaymentSender
                ?? inner.ImplementationFactory?.Invoke(sp) as IPaymentSender
                ?? (IPaymentSender)ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!),
            sp.GetRequiredService<SpendLedger>())));
    }

    private sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
    {
        public ValidateOptionsResult Validate(string? name, AccessOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
