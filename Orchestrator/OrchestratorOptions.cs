namespace LivepeerAspire.Orchestrator;

/// <summary>Bound from the <c>Orchestrator</c> configuration section. go-livepeer flag equivalents in docs/orchestrator.md.</summary>
public sealed class OrchestratorOptions
{
    public const string Section = "Orchestrator";

    /// <summary>go <c>-aiModels</c>: path of a JSON array in go-livepeer's aiModels.json schema.</summary>
    public string? AiModelsFile { get; set; }

    /// <summary>go <c>-serviceAddr</c>: the URL gateways use; defaults to the first address the server listens on.</summary>
    public string? ServiceUri { get; set; }

    public string Name { get; set; } = "orchestrator";

    /// <summary>go <c>-datadir</c>: keys and state (used by the payment implementations).</summary>
    public string? DataDir { get; set; }

    /// <summary>go <c>-ethOrchAddr</c>: the address advertised off-chain; derived from the service URI when unset.</summary>
    public string? EthAddress { get; set; }

    /// <summary>Advertised in Capabilities.version (gateways may filter with -orchMinLivepeerVersion).</summary>
    public string Version { get; set; } = "0.8.9";

    /// <summary>Largest accepted job body (go-livepeer: MaxAIRequestSize, 3 GB; bodies are buffered here).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Time an external runner gets to answer /health (go-livepeer externalContainerTimeout).</summary>
    public TimeSpan RunnerStartupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>go-livepeer pollingInterval.</summary>
    public TimeSpan RunnerPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often a ready runner's /health is probed after start-up (go-livepeer watches its managed containers; 0 turns
    /// the watch off). Two misses in a row take the runner out of service and out of discovery until it answers again.
    /// </summary>
    public TimeSpan RunnerHealthInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>go-livepeer healthcheckTimeout; also bounds /hardware/info and /version.</summary>
    public TimeSpan RunnerCallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Exit (code 1) when a runner reports ERROR or misses its start-up budget, as go-livepeer aborts start-up.</summary>
    public bool StopOnRunnerFailure { get; set; } = true;

    /// <summary>
    /// Longest a gRPC call may take, reading included; a client stalled mid-message has its stream reset then
    /// (go-livepeer sets no server-side limit; its own client gives GetOrchestrator 8 s).
    /// </summary>
    public TimeSpan GrpcCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan AuthTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// On-chain mode: bonded stake in LPT registered on the ledger at start-up when the AppHost has not registered
    /// this orchestrator already (an orchestrator without stake is inactive and cannot take payments).
    /// </summary>
    public string? Stake { get; set; }

    /// <summary>On-chain mode: how often due winning tickets are redeemed (go-livepeer does it on every new block).</summary>
    public TimeSpan RedemptionInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal sealed class Validator : Microsoft.Extensions.Options.IValidateOptions<OrchestratorOptions>
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, OrchestratorOptions options) =>
            string.IsNullOrWhiteSpace(options.EthAddress) || Protocol.Eth.EthAddress.TryParse(options.EthAddress.Trim(), out _)
                ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
                : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
                    $"Orchestrator:EthAddress '{options.EthAddress}' is not an ETH address; use 40 hex digits, 0x optional (go-livepeer -ethOrchAddr)");
    }
}
