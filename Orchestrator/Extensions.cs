using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Orchestrator.Jobs;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Observability;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Orchestrator.Status;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator;

public static class OrchestratorExtensions
{
    public static WebApplicationBuilder AddOrchestratorServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OrchestratorOptions>().Bind(builder.Configuration.GetSection(OrchestratorOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrchestratorOptions>, OrchestratorOptions.Validator>();
        // The ETH/USD price is one fact for the whole network: the gateway and the orchestrators read the same key.
        services.AddOptions<PricingOptions>().Bind(builder.Configuration.GetSection(PricingOptions.SectionName))
            .Validate(o => !o.Validate().Any(), "Pricing:EthUsd must be a positive number (US dollars per ETH), e.g. 3000").ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ModelCatalog(AiModelsLoader.LoadFile(
            sp.GetRequiredService<IOptions<OrchestratorOptions>>().Value.AiModelsFile,
            new PriceConverter(sp.GetRequiredService<IOptions<PricingOptions>>().Value).EthUsd)));
        services.TryAddSingleton(_ => RunnerHttp.CreateDefault());
        services.AddSingleton<AuthTokenIssuer>();
        services.AddSingleton<SegmentCredentialsCheck>();
        services.TryAddSingleton(new GatewayRequestCheck(onChain: false));
        services.AddSingleton<OrchestratorInfoBuilder>();
        services.AddSingleton<ServiceUriResolver>();
        services.AddHttpForwarder();
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        services.AddSingleton<RunnerForwarder>();
        services.AddSingleton<JobStats>();
        services.AddSingleton<OrchestratorMeters>();
        services.TryAddSingleton<IPaymentReceiver, OffchainPaymentReceiver>();
        services.TryAddSingleton<ITicketParamsSource, OffchainTicketParamsSource>();
        builder.AddOnChainPayments();
        services.AddHostedService<RunnerStartup>();
        builder.AddOrchestratorGrpc();
        services.AddHealthChecks().AddCheck<RunnersReadyHealthCheck>("runners");
        return builder;
    }

    /// <summary>
    /// Maps the orchestrator routes. The aiModels file is loaded here, once configuration is final, so an
    /// invalid file stops the process before it listens (an <see cref="AiModelsException"/> naming file and entry).
    /// </summary>
    public static WebApplication MapOrchestratorApi(this WebApplication app)
    {
        // Instruments exist once created; the meter provider only reads them.
        app.Services.GetRequiredService<OrchestratorMeters>();
        var catalog = app.Services.GetRequiredService<ModelCatalog>();
        foreach (var model in catalog.Models)
        {
            app.Logger.LogInformation("Serving {Pipeline} {Model}: capacity {Capacity}, warm {Warm}, price {Price} wei/unit",
                model.Pipeline, model.ModelId, model.Capacity, model.Warm, model.PriceFor(null)?.ToString() ?? "none");
        }

        if (AudioProbe.Ffprobe is null && catalog.ForPipeline(PipelineCatalog.AudioToText).Count > 0)
        {
            app.Logger.LogWarning("audio-to-text jobs will be answered 503: {Reason}", AudioProbe.MissingToolMessage);
        }

        app.ValidateOnChainPayments();
        app.MapOrchestratorGrpc();
        GetOrchestratorApi.Map(app);
        PipelineApi.Map(app);
        StatusApi.Map(app);
        app.MapFallback((HttpContext context) => JobErrors.WriteAsync(context, StatusCodes.Status404NotFound,
            $"no route {context.Request.Method} {context.Request.Path}; AI routes: {string.Join(", ", Protocol.Pipelines.PipelineCatalog.All.Select(p => p.Route))}"));
        return app;
    }
}
