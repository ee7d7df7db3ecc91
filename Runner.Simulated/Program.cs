using LivepeerAspire.Runner.Simulated;
using LivepeerAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSimulatedRunnerServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSimulatedRunnerApi();
app.Run();
