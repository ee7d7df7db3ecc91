using LivepeerAspire.Runner.Simulated;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.ServiceDefaults;

if (ValidateCommand.TryRun(args, Console.Out, out var exitCode))
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSimulatedRunnerServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSimulatedRunnerApi();
app.Run();
return 0;
