using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Turns the requested model id into the one to route on. Empty (the @livepeer/ai SDK's default) means the
/// pipeline's go-livepeer default when the network serves it, else the model most orchestrators serve warm. A named
/// model nobody serves is a 404 that lists what is served.
/// </summary>
public sealed class ModelResolver(NetworkCapabilitiesPoller network)
{
    private static readonly TimeSpan FreshEnough = TimeSpan.FromSeconds(5);

    public async Task<string> ResolveAsync(Pipeline pipeline, string? requested, CancellationToken cancellationToken)
    {
        var snapshot = network.Snapshot;
        if (!Serves(snapshot, pipeline, requested))
        {
            snapshot = await network.GetAsync(FreshEnough, cancellationToken).ConfigureAwait(false);
        }

        var served = Served(snapshot, pipeline);
        if (!string.IsNullOrEmpty(requested))
        {
            if (served.Any(m => m.ModelId == requested))
            {
                return requested;
            }

            if (snapshot.Orchestrators.Count == 0)
            {
                throw new GatewayError(StatusCodes.Status503ServiceUnavailable, "no orchestrators available: none answered discovery");
            }

            throw new GatewayError(StatusCodes.Status404NotFound, served.Count == 0
                ? $"model '{requested}' is not served: no orchestrator serves {pipeline.Name}"
                : $"model '{requested}' is not served for {pipeline.Name}; served: {string.Join(", ", served.Select(m => m.ModelId).Distinct())}");
        }

        if (served.Count == 0)
        {
            throw new GatewayError(StatusCodes.Status503ServiceUnavailable, snapshot.Orchestrators.Count == 0
                ? "no orchestrators available: none answered discovery"
                : $"no orchestrator serves {pipeline.Name}");
        }

        if (served.Any(m => m.ModelId == pipeline.DefaultModelId))
        {
            return pipeline.DefaultModelId;
        }

        return served.GroupBy(m => m.ModelId)
            .OrderByDescending(g => g.Count(m => m.Warm))
            .ThenByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .First().Key;
    }

    public static List<NetworkModel> Served(NetworkCapabilities snapshot, Pipeline pipeline) =>
        snapshot.Orchestrators.SelectMany(o => o.Models).Where(m => m.Pipeline == pipeline.Name).ToList();

    private static bool Serves(NetworkCapabilities snapshot, Pipeline pipeline, string? model) =>
        Served(snapshot, pipeline).Any(m => string.IsNullOrEmpty(model) || m.ModelId == model);
}
