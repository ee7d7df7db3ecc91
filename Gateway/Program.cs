using LivepeerAspire.Gateway;
using LivepeerAspire.Gateway.Access;
using LivepeerAspire.Gateway.FrontDoor;
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
    var frontDoor = builder.IsFrontDoor();
    if (frontDoor)
    {
        builder.AddFrontDoor();
    }
    else
    {
        builder.AddGatewayServices();
    }

    var app = builder.Build();
    app.MapDefaultEndpoints();
    if (frontDoor)
    {
        app.MapFrontDoor();
    }
    else
    {
        app.MapGatewayApi();
    }

    app.Run();
    return 0;
});
