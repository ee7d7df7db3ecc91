using LivepeerAspire.Runner.Simulated.Api;
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
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = MaxBodyBytes);
        builder.Services.AddSingleton(sp => LoadFleetConfig(sp.GetRequiredService<IOptions<SimulatorOptions>>().Value));
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

    public static FleetConfig LoadFleetConfig(SimulatorOptions options)
    {
        var profiles = ProfileValidator.Load(options.ProfilesFile ?? SimulatorOptions.DefaultProfilesPath);
        return FleetValidator.Load(options.FleetFile ?? SimulatorOptions.DefaultFleetPath, profiles, options.TimeScale, options.Seed);
    }
}
