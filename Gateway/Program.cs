using LivepeerAspire.Gateway;
using LivepeerAspire.ServiceDefaults;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();
app.MapDefaultEndpoints();
try
{
    app.MapGatewayApi();
    app.Run();
}
catch (OptionsValidationException e)
{
    // Bad configuration: refuse to start and say why, one reason per line.
    Console.Error.WriteLine("gateway: refusing to start: invalid configuration");
    foreach (var failure in e.Failures)
    {
        Console.Error.WriteLine("  " + failure);
    }

    return 2;
}

return 0;
