using LivepeerAspire.Orchestrator;
using LivepeerAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrchestratorServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOrchestratorApi();
app.Run();
