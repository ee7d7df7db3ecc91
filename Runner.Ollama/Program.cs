using LivepeerAspire.Runner.Ollama;
using LivepeerAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOllamaRunnerServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOllamaRunnerApi();
app.Run();
