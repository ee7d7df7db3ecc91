using LivepeerAspire.Orchestrator;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.ServiceDefaults;
using LivepeerAspire.ServiceDefaults.Configuration;

return StartupFailure.Run("orchestrator", () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults();
    builder.AddOrchestratorServices();

    var app = builder.Build();
    app.MapDefaultEndpoints();
    try
    {
        app.MapOrchestratorApi();
    }
    catch (AiModelsException e)
    {
        Console.Error.WriteLine($"orchestrator: refusing to start: {e.Message}");
        return StartupFailure.ConfigurationExitCode;
    }

    app.Run();
    return Environment.ExitCode;
});
