using LivepeerAspire.Gateway.Access;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.NetworkView;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.SharedState;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway;

public static class GatewayExtensions
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        AddValidated<DiscoveryOptions>(builder, DiscoveryOptions.Section, o => o.Validate());
        AddValidated<SelectionOptions>(builder, SelectionOptions.Section, o => o.Validate());
        AddValidated<TimeoutOptions>(builder, TimeoutOptions.Section, o => o.Validate());
        AddValidated<PaymentOptions>(builder, PaymentOptions.Section, o => o.Validate());
        AddValidated<LimitsOptions>(builder, LimitsOptions.Section, o => o.Validate());
        AddValidated<AsyncJobsOptions>(builder, AsyncJobsOptions.Section, o => o.Validate());
        AddValidated<PricingOptions>(builder, PricingOptions.SectionName, o => o.Validate());
        AddValidated<QueueOptions>(builder, QueueOptions.Section, o => o.Validate());
        AddValidated<SharedStateOptions>(builder, SharedStateOptions.Section, o => o.Validate());
        AddValidated<Progress.ProgressOptions>(builder, Progress.ProgressOptions.Section, o => o.Validate());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var seed = sp.GetRequiredService<IOptions<SelectionOptions>>().Value.Seed;
            return seed == 0 ? new Random() : new Random(seed);
        });
        services.AddSingleton<GatewayHttp>();
        services.AddSingleton<IOrchestratorSource, ConfiguredOrchestratorSource>();
        services.TryAddSingleton(GatewayIdentity.Unsigned);
        services.TryAddSingleton<IOrchestratorInfoClient, OrchestratorInfoClient>();
        services.AddSingleton<OrchestratorDiscovery>();
        services.AddSingleton<NetworkCapabilitiesPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<NetworkCapabilitiesPoller>());
        services.AddSingleton<ModelResolver>();

        services.AddSingleton<ISelectionStrategy, RoundRobinStrategy>();
        services.AddSingleton<ISelectionStrategy, StakePriceLatencyStrategy>();
        services.AddSingleton<ISelectionStrategy, AdaptiveStrategy>();
        services.AddSingleton<StrategySelector>();
        services.AddSingleton<SpeedTracker>();
        services.TryAddSingleton<IStakeReader, ConfiguredStakeReader>();
        services.AddSingleton<Cooldowns>();
        services.AddSingleton(sp => new PriceConverter(sp.GetRequiredService<IOptions<PricingOptions>>().Value));
        services.AddSingleton<MaxPrices>();
        services.AddSingleton<AiSessionManager>();

        builder.AddGatewaySharedState();
        services.TryAddSingleton<IPaymentSender, OffChainPaymentSender>();
        builder.AddGatewayOnChainPayments();
        builder.AddOrchestratorWebhookPool();
        services.AddSingleton<Deadlines>();
        services.AddHttpForwarder();
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        services.AddSingleton<OrchestratorForwarder>();
        services.AddSingleton<CapacityQueue>();
        services.AddSingleton<Progress.ProgressOffer>();
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<JobParser>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton(sp => new AsyncJobs(sp.GetRequiredService<IOptions<AsyncJobsOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AsyncJobs>>(), sp.GetService<IAsyncResultStore>()));
        services.AddHostedService(sp => sp.GetRequiredService<AsyncJobs>());
        builder.AddGatewayAccess();
        return builder;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        // Resolve the selection state now so that a bad strategy stops start-up with its reason.
        _ = app.Services.GetRequiredService<StrategySelector>();
        app.CheckSharedState();
        app.LogOnChainPayments();
        if (AudioProbe.Ffprobe is null)
        {
            app.Logger.LogWarning("audio-to-text requests will be answered 503: {Reason}", AudioProbe.MissingToolMessage);
        }

        app.UseGatewayAccess();
        app.MapPipelineApi();
        app.MapOpenAiApi();
        app.MapAdminApi();
        app.MapNetworkView();
        app.MapObservabilityApi();
        return app;
    }

    private static void AddValidated<T>(WebApplicationBuilder builder, string section, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        builder.Services.AddOptions<T>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<T>>(new DelegateValidator<T>(validate));
    }

    private sealed class DelegateValidator<T>(Func<T, IEnumerable<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = validate(options).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
