using LivepeerAspire.Orchestrator;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.ServiceDefaults;

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
    return 2;
}

app.Run();
return Environment.ExitCode;
