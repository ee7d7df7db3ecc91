using LivepeerAspire.Gateway;
using LivepeerAspire.Gateway.Access;
using LivepeerAspire.ServiceDefaults;
using LivepeerAspire.ServiceDefaults.Configuration;

if (KeysCli.Handles(args))
{
    return await KeysCli.RunAsync(args, Console.Out, Console.Error);
}

return StartupFailure.Run("gateway", () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults();
    builder.AddGatewayServices();

    var app = builder.Build();
    app.MapDefaultEndpoints();
    app.MapGatewayApi();
    app.Run();
    return 0;
});
