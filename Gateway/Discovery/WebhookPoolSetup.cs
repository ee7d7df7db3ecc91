using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Pool-source precedence as go-livepeer's starter has it: with -orchWebhookUrl the webhook is the only pool, so
/// -orchAddr (with the Aspire orchestrator references) and the on-chain registry are not asked. Call it after every
/// other source is registered.
/// </summary>
public static class WebhookPoolSetup
{
    public static WebApplicationBuilder AddOrchestratorWebhookPool(this WebApplicationBuilder builder)
    {
        var url = builder.Configuration.GetSection(DiscoveryOptions.Section)[nameof(DiscoveryOptions.OrchWebhookUrl)];
        if (string.IsNullOrWhiteSpace(url))
        {
            return builder;
        }

        builder.Services.RemoveAll<IOrchestratorSource>();
        builder.Services.AddSingleton<IOrchestratorSource, WebhookOrchestratorSource>();
        return builder;
    }
}
