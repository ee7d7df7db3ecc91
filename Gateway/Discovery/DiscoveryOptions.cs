namespace LivepeerAspire.Gateway.Discovery;

/// <summary>Configuration section <c>Discovery</c>. go-livepeer flags in brackets.</summary>
public sealed class DiscoveryOptions
{
    public const string Section = "Discovery";

    /// <summary>Comma-separated orchestrator addresses [-orchAddr]: URLs, or host:port as go-livepeer takes them (https); https:// ones are called with gRPC. Aspire references <c>services__orchestrator*</c> are added (https endpoint first).</summary>
    public string OrchAddr { get; set; } = "";

    /// <summary>First wait before the doubling starts [-discoveryTimeout, 500 ms].</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Hard cutoff of one discovery round (go-livepeer maxGetOrchestratorCutoffTimeout, 6 s).</summary>
    public TimeSpan Cutoff { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Dial limit of one gRPC GetOrchestrator to an https:// orchestrator (go-livepeer GRPCConnectTimeout, 3 s).</summary>
    public TimeSpan GrpcConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the no-caps poll behind /getNetworkCapabilities runs [-liveAICapReportInterval, 25 min in go-livepeer].</summary>
    public TimeSpan NetworkPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Session pool TTL: a pool older than this is refreshed on the next request (AISessionManagerTTL, 10 min).</summary>
    public TimeSpan PoolTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The gateway's ETH address sent in OrchestratorRequest (hex, optional off-chain).</summary>
    public string GatewayAddress { get; set; } = "";

    /// <summary>Comma-separated ETH addresses, 0x optional [-orchBlocklist]; an orchestrator whose OrchestratorInfo.address is listed is dropped.</summary>
    public string OrchBlocklist { get; set; } = "";

    /// <summary>Lowest Capabilities.version an orchestrator may advertise, e.g. 0.8.0 [-orchMinLivepeerVersion]; empty accepts any.</summary>
    public string OrchMinLivepeerVersion { get; set; } = "";

    /// <summary>
    /// URL answering GET with <c>[{"address":"&lt;service url&gt;","score":&lt;float&gt;}]</c> [-orchWebhookUrl]. When set it is the
    /// only orchestrator source: it wins over OrchAddr, the orchestrator references and the ledger registry.
    /// </summary>
    public string OrchWebhookUrl { get; set; } = "";

    /// <summary>How long a webhook answer is used before the next GET (go-livepeer WebhookDiscoveryRefreshInterval, 1 min).</summary>
    public TimeSpan WebhookRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time limit of one webhook GET (go-livepeer hard-codes 3 s).</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public IEnumerable<string> Validate()
    {
        if (Timeout <= TimeSpan.Zero)
        {
            yield return $"Discovery:Timeout must be positive (got {Timeout})";
        }

        if (Cutoff < Timeout)
        {
            yield return $"Discovery:Cutoff ({Cutoff}) must not be shorter than Discovery:Timeout ({Timeout})";
        }

        if (GrpcConnectTimeout <= TimeSpan.Zero)
        {
            yield return $"Discovery:GrpcConnectTimeout must be positive (got {GrpcConnectTimeout})";
        }

        if (NetworkPollInterval <= TimeSpan.Zero)
        {
            yield return $"Discovery:NetworkPollInterval must be positive (got {NetworkPollInterval})";
        }

        if (PoolTtl <= TimeSpan.Zero)
        {
            yield return $"Discovery:PoolTtl must be positive (got {PoolTtl})";
        }

        foreach (var url in OrchAddr.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!OrchestratorAddress.TryParse(url, out _))
            {
                yield return $"Discovery:OrchAddr entry '{url}' is not an orchestrator address; use host:port (https, as go-livepeer's -orchAddr), or an http(s):// URL";
            }
        }

        OrchestratorBlocklist.Parse(OrchBlocklist, out var malformed);
        foreach (var entry in malformed)
        {
            yield return $"Discovery:OrchBlocklist entry '{entry}' is not an ETH address (40 hex digits, 0x optional)";
        }

        if (!MinLivepeerVersion.TryCreate(OrchMinLivepeerVersion, out _))
        {
            yield return $"Discovery:OrchMinLivepeerVersion '{OrchMinLivepeerVersion}' is not a semantic version such as 0.8.0 or v0.8.0-rc1 "
                + "(go-livepeer would silently accept every orchestrator; this gateway refuses to start instead)";
        }

        if (!string.IsNullOrWhiteSpace(OrchWebhookUrl) && !IsHttpUrl(OrchWebhookUrl.Trim()))
        {
            yield return $"Discovery:OrchWebhookUrl '{OrchWebhookUrl}' is not an absolute http(s) URL";
        }

        if (WebhookRefreshInterval <= TimeSpan.Zero)
        {
            yield return $"Discovery:WebhookRefreshInterval must be positive (got {WebhookRefreshInterval})";
        }

        if (WebhookTimeout <= TimeSpan.Zero)
        {
            yield return $"Discovery:WebhookTimeout must be positive (got {WebhookTimeout})";
        }
    }

    public static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
