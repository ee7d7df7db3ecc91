using System.Security.Cryptography;
using LivepeerAspire.Gateway.Forwarding;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Discovery:OrchWebhookUrl [-orchWebhookUrl]: GETs the URL (Discovery:WebhookTimeout, 3 s) and uses its list for
/// Discovery:WebhookRefreshInterval (1 min); an unchanged body keeps the previous list. As in go-livepeer, a failed
/// GET, a non-2xx answer or a bad body keeps the last good list (none before the first success) and is retried on
/// the next discovery rather than after the interval. Concurrent discoveries share one GET.
/// </summary>
public sealed class WebhookOrchestratorSource(
    GatewayHttp http,
    TimeProvider time,
    IOptions<DiscoveryOptions> options,
    ILogger<WebhookOrchestratorSource> logger) : IOrchestratorSource
{
    // A pool list is a few kB; the cap keeps a misbehaving webhook from filling memory.
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly Lock gate = new();
    private volatile Snapshot? last;
    private Task<IReadOnlyList<Uri>>? inflight;
    private bool failing;

    public string Name => "orchWebhookUrl";

    public ValueTask<IReadOnlyList<Uri>> GetOrchestratorUrlsAsync(CancellationToken cancellationToken)
    {
        var opts = options.Value;
        if (string.IsNullOrWhiteSpace(opts.OrchWebhookUrl))
        {
            return ValueTask.FromResult<IReadOnlyList<Uri>>([]);
        }

        if (last is { } cached && time.GetUtcNow() - cached.FetchedAt < opts.WebhookRefreshInterval)
        {
            return ValueTask.FromResult(cached.Urls);
        }

        Task<IReadOnlyList<Uri>> task;
        lock (gate)
        {
            if (inflight is null || inflight.IsCompleted)
            {
                inflight = Task.Run(RefreshAsync, CancellationToken.None);
            }

            task = inflight;
        }

        return new ValueTask<IReadOnlyList<Uri>>(task.WaitAsync(cancellationToken));
    }

    private async Task<IReadOnlyList<Uri>> RefreshAsync()
    {
        var opts = options.Value;
        var url = opts.OrchWebhookUrl.Trim();
        var previous = last;
        byte[] body;
        try
        {
            body = await FetchAsync(url, opts.WebhookTimeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Failed(url, $"no answer within {opts.WebhookTimeout.TotalSeconds:0.###} s", previous);
        }
        catch (Exception e)
        {
            return Failed(url, e.Message, previous);
        }

        var hash = SHA256.HashData(body);
        if (previous is not null && hash.AsSpan().SequenceEqual(previous.Hash))
        {
            last = previous with { FetchedAt = time.GetUtcNow() };
            Recovered(url, previous.Urls.Count);
            return previous.Urls;
        }

        if (!WebhookPoolList.TryParse(body, out var urls, out var skipped, out var error))
        {
            return Failed(url, error, previous);
        }

        foreach (var note in skipped)
        {
            logger.LogWarning("orchestrator webhook {Url}: {Entry}; skipped", url, note);
        }

        last = new Snapshot(urls, hash, time.GetUtcNow());
        failing = false;
        logger.LogInformation("orchestrator webhook {Url}: {Count} orchestrator(s): {Orchestrators}", url, urls.Count, string.Join(", ", urls));
        return urls;
    }

    private async Task<byte[]> FetchAsync(string url, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await http.Invoker.SendAsync(request, deadline.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.Content.Headers.ContentLength > MaxBodyBytes)
        {
            throw new HttpRequestException($"body of {response.Content.Headers.ContentLength} bytes is over the {MaxBodyBytes}-byte limit");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, deadline.Token).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new HttpRequestException($"body is over the {MaxBodyBytes}-byte limit");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private IReadOnlyList<Uri> Failed(string url, string reason, Snapshot? previous)
    {
        var kept = previous is null
            ? "no orchestrators until it answers"
            : $"keeping the last good list of {previous.Urls.Count} orchestrator(s)";
        if (!failing)
        {
            logger.LogWarning("orchestrator webhook {Url} failed: {Reason}; {Kept}", url, reason, kept);
        }
        else
        {
            logger.LogDebug("orchestrator webhook {Url} still failing: {Reason}; {Kept}", url, reason, kept);
        }

        failing = true;
        return previous?.Urls ?? [];
    }

    private void Recovered(string url, int count)
    {
        if (failing)
        {
            logger.LogInformation("orchestrator webhook {Url} answers again: {Count} orchestrator(s), unchanged", url, count);
        }

        failing = false;
    }

    private sealed record Snapshot(IReadOnlyList<Uri> Urls, byte[] Hash, DateTimeOffset FetchedAt);
}
