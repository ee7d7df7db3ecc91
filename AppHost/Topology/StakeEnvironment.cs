using System.Text.Json;
using LivepeerAspire.AppHost.Resources;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// The gateway reads stakes from <c>Selection:Stakes:&lt;key&gt;</c>, keyed by ETH address or service URI. A URI
/// cannot be a configuration key (its ':' separates sections), and an orchestrator's address exists only once it
/// has started and made its key; so when the gateway is about to start (its orchestrators are healthy by then),
/// each orchestrator's address is read from its <c>/status</c> and passed as <c>Selection__Stakes__0x…</c>.
/// </summary>
internal static class StakeEnvironment
{
    public static async Task<IReadOnlyDictionary<string, string>> ForAsync(IEnumerable<(string Url, string Stake)> orchestrators, CancellationToken ct)
    {
        using var http = LoopbackHttp.Create(TimeSpan.FromSeconds(5));
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (url, stake) in orchestrators)
        {
            try
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync(url + "/status", ct));
                if (status.RootElement.ValueKind == JsonValueKind.Object
                    && status.RootElement.TryGetProperty("address", out var address)
                    && address.ValueKind == JsonValueKind.String
                    && address.GetString() is { Length: > 2 } text
                    && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    env[$"Selection__Stakes__{text}"] = stake;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                // An orchestrator without /status (or an address) simply has no configured stake: go-livepeer's 0.
            }
        }

        return env;
    }
}
