using LivepeerAspire.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Discovery:OrchAddr (go-livepeer -orchAddr) plus every Aspire reference named <c>orchestrator*</c>, its https endpoint
/// when it has one: that is where it serves gRPC, like a go-livepeer orchestrator's service URI.
/// </summary>
public sealed class ConfiguredOrchestratorSource(IOptions<DiscoveryOptions> options, IConfiguration configuration) : IOrchestratorSource
{
    public string Name => "orchAddr";

    public ValueTask<IReadOnlyList<Uri>> GetOrchestratorUrlsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(Read(options.Value, configuration));

    public static IReadOnlyList<Uri> Read(DiscoveryOptions options, IConfiguration configuration)
    {
        var urls = new List<Uri>();
        foreach (var entry in options.OrchAddr.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (OrchestratorAddress.TryParse(entry, out var uri))
            {
                urls.Add(uri);
            }
        }

        urls.AddRange(ServiceReferences.FindAll(configuration, "orchestrator", preferHttps: true).Select(r => r.Url));
        return urls.DistinctBy(u => OrchestratorKey.Of(u)).ToList();
    }
}

/// <summary>The canonical string used to key an orchestrator by URL (scheme://host:port/path without a trailing slash).</summary>
public static class OrchestratorKey
{
    public static string Of(Uri uri) => uri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public static string Of(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Of(uri) : url.TrimEnd('/');
}
