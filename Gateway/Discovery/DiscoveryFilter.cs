using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// The operator's filters on an orchestrator's getOrchestrator answer: Discovery:OrchBlocklist and
/// Discovery:OrchMinLivepeerVersion. Options are validated at start, so parsing them here cannot fail.
/// </summary>
public sealed class DiscoveryFilter
{
    private DiscoveryFilter(OrchestratorBlocklist blocklist, MinLivepeerVersion minVersion)
    {
        Blocklist = blocklist;
        MinVersion = minVersion;
    }

    public OrchestratorBlocklist Blocklist { get; }

    public MinLivepeerVersion MinVersion { get; }

    public static DiscoveryFilter From(DiscoveryOptions options)
    {
        var blocklist = OrchestratorBlocklist.Parse(options.OrchBlocklist, out _);
        return new DiscoveryFilter(blocklist, MinLivepeerVersion.TryCreate(options.OrchMinLivepeerVersion, out var min) ? min : MinLivepeerVersion.None);
    }

    /// <summary>Null when the orchestrator may be used, else why not.</summary>
    public string? Rejects(OrchestratorInfo info)
    {
        if (Blocklist.Blocks(info.Address))
        {
            return $"address 0x{Convert.ToHexStringLower(info.Address.Span)} is on Discovery:OrchBlocklist";
        }

        return MinVersion.Rejects(info.Capabilities?.Version);
    }

    public override string ToString() =>
        $"{Blocklist.Count} blocked address(es), minimum orchestrator version {(MinVersion.IsSet ? MinVersion.Text : "none")}";
}
