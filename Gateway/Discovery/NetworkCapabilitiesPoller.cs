using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// The periodic no-caps getOrchestrator poll behind /getNetworkCapabilities (go-livepeer repeats it every
/// -liveAICapReportInterval). Its snapshot also tells the routes which models the network serves, so an empty
/// model id can fall back to one that exists.
/// </summary>
public sealed class NetworkCapabilitiesPoller(
    OrchestratorDiscovery discovery,
    TimeProvider time,
    IOptions<DiscoveryOptions> options,
    ILogger<NetworkCapabilitiesPoller> logger) : BackgroundService
{
    private readonly SemaphoreSlim pollLock = new(1, 1);
    private volatile NetworkCapabilities snapshot = new([]);
    private DateTimeOffset? polledAt;
    private DateTimeOffset pollStartedAt = DateTimeOffset.MinValue;

    public NetworkCapabilities Snapshot => snapshot;

    /// <summary>The snapshot, polling first if none was taken yet or it is older than <paramref name="maxAge"/>.</summary>
    public async Task<NetworkCapabilities> GetAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var at = polledAt;
        if (at is null || now - at > maxAge || snapshot.Orchestrators.Count == 0)
        {
            await PollAsync(cancellationToken, notBefore: now).ConfigureAwait(false);
        }

        return snapshot;
    }

    /// <summary>Polls every orchestrator without caps; skipped when a poll that started at or after <paramref name="notBefore"/> already finished.</summary>
    public async Task PollAsync(CancellationToken cancellationToken, DateTimeOffset? notBefore = null)
    {
        await pollLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (notBefore is { } since && pollStartedAt >= since && polledAt is not null)
            {
                return;
            }

            pollStartedAt = time.GetUtcNow();
            var found = await discovery.DiscoverAsync(null, null, cancellationToken, waitForAll: true).ConfigureAwait(false);
            snapshot = new NetworkCapabilities(found.Select(NetworkCapabilitiesBuilder.From).OrderBy(o => o.OrchUri, StringComparer.Ordinal).ToList());
            polledAt = time.GetUtcNow();
        }
        finally
        {
            pollLock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("network capabilities poll failed: {Error}", e.Message);
            }

            try
            {
                await Task.Delay(options.Value.NetworkPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
