namespace LivepeerAspire.Gateway.Discovery;

/// <summary>Configuration section <c>Discovery</c>. go-livepeer flags in brackets.</summary>
public sealed class DiscoveryOptions
{
    public const string Section = "Discovery";

    /// <summary>Comma-separated orchestrator URLs [-orchAddr]. Aspire references <c>services__orchestrator*__http__0</c> are added.</summary>
    public string OrchAddr { get; set; } = "";

    /// <summary>First wait before the doubling starts [-discoveryTimeout, 500 ms].</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Hard cutoff of one discovery round (go-livepeer maxGetOrchestratorCutoffTimeout, 6 s).</summary>
    public TimeSpan Cutoff { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How often the no-caps poll behind /getNetworkCapabilities runs [-liveAICapReportInterval, 25 min in go-livepeer].</summary>
    public TimeSpan NetworkPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Session pool TTL: a pool older than this is refreshed on the next request (AISessionManagerTTL, 10 min).</summary>
    public TimeSpan PoolTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The gateway's ETH address sent in OrchestratorRequest (hex, optional off-chain).</summary>
    public string GatewayAddress { get; set; } = "";

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
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                yield return $"Discovery:OrchAddr entry '{url}' is not an absolute http(s) URL";
            }
        }
    }
}
