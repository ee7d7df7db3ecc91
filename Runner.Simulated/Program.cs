using LivepeerAspire.Runner.Simulated;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.ServiceDefaults;
using LivepeerAspire.ServiceDefaults.Configuration;

if (ValidateCommand.TryRun(args, Console.Out, out var exitCode))
{
    return exitCode;
}

return StartupFailure.Run("runner-simulated", () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults();
    WebApplication app;
    try
    {
        builder.AddSimulatedRunnerServices();
        app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapSimulatedRunnerApi();
    }
    catch (ConfigFileException ex)
    {
        // Same one-line message as --validate; the service does not start on a bad profile or fleet file.
        Console.Error.WriteLine(ex.Message);
        return StartupFailure.ConfigurationExitCode;
    }

    app.Run();
    return 0;
});
