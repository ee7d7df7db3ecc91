using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Discovery:OrchBlocklist [-orchBlocklist]: comma-separated ETH addresses, 0x optional, any case. An orchestrator
/// whose OrchestratorInfo.address (its ticket recipient) is listed is dropped from discovery.
/// </summary>
public sealed class OrchestratorBlocklist
{
    private readonly HashSet<EthAddress> blocked;

    private OrchestratorBlocklist(HashSet<EthAddress> blocked) => this.blocked = blocked;

    public static OrchestratorBlocklist Empty { get; } = new([]);

    public int Count => blocked.Count;

    /// <summary>The list for an option value, and every entry that is not a 20-byte hex address.</summary>
    public static OrchestratorBlocklist Parse(string? option, out IReadOnlyList<string> malformed)
    {
        var bad = new List<string>();
        var set = new HashSet<EthAddress>();
        foreach (var entry in (option ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (EthAddress.TryParse(entry, out var address))
            {
                set.Add(address);
            }
            else
            {
                bad.Add(entry);
            }
        }

        malformed = bad;
        return set.Count == 0 ? Empty : new OrchestratorBlocklist(set);
    }

    public bool Blocks(ByteString address) =>
        address.Length == EthAddress.Size && blocked.Contains(new EthAddress(address.Span));
}
