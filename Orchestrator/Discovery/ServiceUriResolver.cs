using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>Orchestrator:ServiceUri, or else the first address the server listens on (port 0 resolved).</summary>
public sealed class ServiceUriResolver(IOptions<OrchestratorOptions> options, IServer server)
{
    public string Resolve()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.ServiceUri))
        {
            return options.Value.ServiceUri.TrimEnd('/');
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address?.TrimEnd('/') ?? "";
    }
}
