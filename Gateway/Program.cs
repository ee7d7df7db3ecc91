using LivepeerAspire.Gateway;
using LivepeerAspire.ServiceDefaults;
using LivepeerAspire.ServiceDefaults.Configuration;

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
