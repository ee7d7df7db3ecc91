using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Net;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// One discovery round as go-livepeer's orchestratorPool.GetOrchestrators does it: ask every orchestrator at once,
/// wait Discovery:Timeout (500 ms); if nobody usable has answered, wait again with the wait doubled, up to the
/// 6 s cutoff; stop early once everyone answered. Non-suspended results come sorted by latency, suspended ones
/// after them ordered by suspension. Orchestrators that Discovery:OrchBlocklist or Discovery:OrchMinLivepeerVersion
/// exclude are dropped from every round, also the no-caps poll, so /getNetworkCapabilities and model resolution only
/// see usable ones.
/// </summary>
public sealed class OrchestratorDiscovery
{
    private readonly IReadOnlyList<IOrchestratorSource> sources;
    private readonly IOrchestratorInfoClient client;
    private readonly TimeProvider time;
    private readonly IOptions<DiscoveryOptions> options;
    private readonly ILogger<OrchestratorDiscovery> logger;
    private readonly DiscoveryFilter filter;
    private readonly ConcurrentDictionary<string, string> reportedRejections = new();

    public OrchestratorDiscovery(
        IEnumerable<IOrchestratorSource> sources,
        IOrchestratorInfoClient client,
        TimeProvider time,
        IOptions<DiscoveryOptions> options,
        ILogger<OrchestratorDiscovery> logger)
    {
        this.sources = sources.ToList();
        this.client = client;
        this.time = time;
        this.options = options;
        this.logger = logger;
        filter = DiscoveryFilter.From(options.Value);
        logger.LogInformation("discovery: sources {Sources}; {Filter}", string.Join(", ", this.sources.Select(s => s.Name)), filter);
    }

    public async Task<IReadOnlyList<Uri>> KnownUrlsAsync(CancellationToken cancellationToken)
    {
        var all = new List<Uri>();
        foreach (var source in sources)
        {
            try
            {
                all.AddRange(await source.GetOrchestratorUrlsAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("orchestrator source {Source} failed: {Error}", source.Name, e.Message);
            }
        }

        return all.DistinctBy(OrchestratorKey.Of).ToList();
    }

    public async Task<IReadOnlyList<DiscoveredOrchestrator>> DiscoverAsync(
        Capabilities? capabilities, Func<string, long>? suspension, CancellationToken cancellationToken, bool waitForAll = false)
    {
        var urls = await KnownUrlsAsync(cancellationToken).ConfigureAwait(false);
        if (urls.Count == 0)
        {
            return [];
        }

        var opts = options.Value;
        using var cutoff = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cutoff.CancelAfter(opts.Cutoff);
        var pending = urls.Select(u => QueryAsync(u, capabilities, cutoff.Token)).ToList();
        var accepted = new List<DiscoveredOrchestrator>();
        var wait = opts.Timeout;
        var timer = Task.Delay(wait, time, cutoff.Token);
        while (pending.Count > 0 && !cutoff.IsCancellationRequested)
        {
            var done = await Task.WhenAny(pending.Append(timer)).ConfigureAwait(false);
            if (done == timer)
            {
                if ((!waitForAll && accepted.Any(a => (suspension?.Invoke(a.Key) ?? 0) == 0)) || cutoff.IsCancellationRequested)
                {
                    break;
                }

                timer = Task.Delay(wait, time, cutoff.Token);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, opts.Cutoff.Ticks));
                continue;
            }

            var task = (Task<DiscoveredOrchestrator?>)done;
            pending.Remove(task);
            if (task.Result is { } found)
            {
                accepted.Add(found);
            }
        }

        await cutoff.CancelAsync().ConfigureAwait(false);
        var unsuspended = accepted.Where(a => (suspension?.Invoke(a.Key) ?? 0) == 0).OrderBy(a => a.Latency);
        var suspended = accepted.Where(a => (suspension?.Invoke(a.Key) ?? 0) != 0).OrderBy(a => suspension!(a.Key));
        return unsuspended.Concat(suspended).DistinctBy(a => a.Key).ToList();
    }

    private async Task<DiscoveredOrchestrator?> QueryAsync(Uri url, Capabilities? capabilities, CancellationToken cancellationToken)
    {
        try
        {
            var found = await client.GetOrchestratorAsync(url, capabilities, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(found.Info.Transcoder))
            {
                logger.LogWarning("orchestrator {Url} advertises no service URI; skipped", url);
                return null;
            }

            if (filter.Rejects(found.Info) is { } reason)
            {
                // Once per orchestrator and reason: every round would repeat it.
                if (!reportedRejections.TryGetValue(found.Key, out var previous) || previous != reason)
                {
                    reportedRejections[found.Key] = reason;
                    logger.LogInformation("orchestrator {Url} left out of discovery: {Reason}", found.Key, reason);
                }

                return null;
            }

            reportedRejections.TryRemove(found.Key, out _);
            return found;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug("getOrchestrator {Url} failed: {Error}", url, e.Message);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
