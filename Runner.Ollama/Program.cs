using LivepeerAspire.Runner.Ollama;
using LivepeerAspire.ServiceDefaults;
using LivepeerAspire.ServiceDefaults.Configuration;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

return StartupFailure.Run("runner-ollama", () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults();
    builder.AddOllamaRunnerServices();

    var app = builder.Build();
    // Not MapDefaultEndpoints: /health here is the ai-runner's (JSON status probed from Ollama).
    app.MapHealthChecks(ServiceDefaultsExtensions.AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
    app.MapOllamaRunnerApi();
    app.Run();
    return 0;
});
