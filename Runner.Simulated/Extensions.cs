using LivepeerAspire.Runner.Simulated.Api;
using LivepeerAspire.Runner.Simulated.Container;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Runner.Simulated.Profiles;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Simulated;

public static class SimulatedRunnerExtensions
{
    /// <summary>Uploads up to the runner's 50 MiB audio limit must reach the handler so it can answer 413 itself.</summary>
    private const long MaxBodyBytes = 64L * 1024 * 1024;

    public static WebApplicationBuilder AddSimulatedRunnerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SimulatorOptions>().Bind(builder.Configuration.GetSection(SimulatorOptions.SectionName)).ValidateOnStart();
        var aiRunner = AiRunnerEnvironment.From(builder.Configuration);
        if (aiRunner is not null)
        {
            // The ai-runner image's contract: one pipeline at the root, on HOST:PORT.
            builder.WebHost.UseUrls(aiRunner.Url);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = MaxBodyBytes);
        builder.Services.AddSingleton(sp => LoadFleetConfig(sp.GetRequiredService<IOptions<SimulatorOptions>>().Value, aiRunner));
        if (aiRunner is not null)
        {
            builder.Services.AddSingleton(aiRunner);
        }

        builder.Services.AddSingleton(sp => new SimulatedFleet(sp.GetRequiredService<FleetConfig>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    public static WebApplication MapSimulatedRunnerApi(this WebApplication app)
    {
        // Resolve now so an invalid profile or fleet file stops the process before it listens.
        var fleet = app.Services.GetRequiredService<SimulatedFleet>();
        app.Logger.LogInformation(
            "Simulated fleet from {Source}: {Count} GPUs, time scale {TimeScale}, seed {Seed}",
            fleet.Config.Source, fleet.Gpus.Count, fleet.Config.TimeScale, fleet.Config.Seed);
        app.Use(CollapseSlashes);
        if (app.Services.GetService<AiRunnerEnvironment>() is { } aiRunner)
        {
            app.Logger.LogInformation(
                "ai-runner mode: PIPELINE={Pipeline} MODEL_ID={ModelId} on {Url}, simulated {Profile}; optimization flags: {Flags}",
                fleet.Gpus[0].Config.Pipeline.Name, fleet.Gpus[0].Config.ModelId, aiRunner.Url, aiRunner.Profile,
                aiRunner.OptimizationFlags.Count == 0 ? "none" : string.Join(" ", aiRunner.OptimizationFlags.Select(f => $"{f.Key}={f.Value}")));
            app.Use(ServeAtRoot);
        }

        app.UseRouting();
        RunnerApi.Map(app);
        return app;
    }

    /// <summary>An aiModels.json url ending in '/' joined naively with "/text-to-image" gives "//"; accept it.</summary>
    private static Task CollapseSlashes(HttpContext ctx, RequestDelegate next)
    {
        var path = ctx.Request.Path.Value;
        if (path is not null && path.Contains("//", StringComparison.Ordinal))
        {
            while (path.Contains("//", StringComparison.Ordinal))
            {
                path = path.Replace("//", "/", StringComparison.Ordinal);
            }

            ctx.Request.Path = path;
        }

        return next(ctx);
    }

    /// <summary>In ai-runner mode the one GPU's routes are the root's, as in the runner image; the admin API stays where it is.</summary>
    private static Task ServeAtRoot(HttpContext ctx, RequestDelegate next)
    {
        if (!ctx.Request.Path.StartsWithSegments("/admin") && !ctx.Request.Path.StartsWithSegments("/alive"))
        {
            ctx.Request.Path = new PathString("/gpus/" + AiRunnerEnvironment.GpuId).Add(ctx.Request.Path);
        }

        return next(ctx);
    }

    public static FleetConfig LoadFleetConfig(SimulatorOptions options, AiRunnerEnvironment? aiRunner = null)
    {
        var profiles = ProfileValidator.Load(options.ProfilesFile ?? SimulatorOptions.DefaultProfilesPath);
        if (aiRunner is not null)
        {
            return FleetValidator.Resolve(aiRunner.ToFleet(), AiRunnerEnvironment.SourceName, profiles, options.TimeScale, options.Seed);
        }

        return FleetValidator.Load(options.FleetFile ?? SimulatorOptions.DefaultFleetPath, profiles, options.TimeScale, options.Seed);
    }
}
