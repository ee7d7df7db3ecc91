using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Protocol.Wire;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Api;

/// <summary>What <c>/image-to-video/result</c> can tell about one request id.</summary>
/// <param name="Complete">false while the job runs.</param>
/// <param name="Result">Once complete: the body the synchronous call would have returned, or <c>{"error":{"msg"}}</c>.</param>
public sealed record AsyncJobState(bool Complete, JsonElement? Result);

/// <summary>
/// Background work for <c>Prefer: respond-async</c> requests, and the results clients fetch later. The work runs on
/// the gateway's own lifetime, not the request's: a client closing its 202 connection does not cancel it, stopping
/// the gateway does. Running jobs are bounded by <see cref="AsyncJobsOptions.MaxPending"/>; finished results are
/// kept for <see cref="AsyncJobsOptions.ResultTtl"/> (by the injected clock) and at most
/// <see cref="AsyncJobsOptions.MaxResults"/> of them.
/// </summary>
public sealed class AsyncJobs(IOptions<AsyncJobsOptions> options, TimeProvider time, ILogger<AsyncJobs> logger) : IHostedService, IDisposable
{
    private readonly IAsyncResultStore? shared;

    internal AsyncJobs(IOptions<AsyncJobsOptions> options, TimeProvider time, ILogger<AsyncJobs> logger, IAsyncResultStore? shared)
        : this(options, time, logger) => this.shared = shared;

    public const string ShutdownMessage = "the gateway shut down before the job finished; send the request again";

    private readonly object gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset FinishedAt)> finished = new();
    private readonly CancellationTokenSource stopping = new();
    private int pending;

    public int Pending
    {
        get
        {
            lock (gate)
            {
                return pending;
            }
        }
    }

    /// <summary>
    /// Reserves a slot and runs <paramref name="work"/> in the background; returns the request id at once.
    /// <paramref name="work"/> returns the result object; an exception becomes <c>{"error":{"msg"}}</c>.
    /// </summary>
    /// <exception cref="GatewayError">503 when <see cref="AsyncJobsOptions.MaxPending"/> jobs are running or the gateway is stopping.</exception>
    public string Start(Func<CancellationToken, Task<JsonObject>> work)
    {
        var limits = options.Value;
        var entry = new Entry();
        string id;
        lock (gate)
        {
            if (stopping.IsCancellationRequested)
            {
                throw new GatewayError(StatusCodes.Status503ServiceUnavailable, "the gateway is shutting down and accepts no new async jobs");
            }

            if (pending >= limits.MaxPending)
            {
                throw new GatewayError(
                    StatusCodes.Status503ServiceUnavailable,
                    $"{pending} async jobs are already running, the limit set by AsyncJobs:MaxPending; retry later");
            }

            do
            {
                id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            }
            while (entries.ContainsKey(id));

            entries[id] = entry;
            pending++;
        }

        var token = stopping.Token;
        entry.Published = shared?.PublishRunningAsync(id, limits.ResultTtl) ?? Task.CompletedTask;
        entry.Work = Task.Run(async () =>
        {
            // "processing" must land in the shared store before the result can, or it would overwrite it.
            await entry.Published.ConfigureAwait(false);
            await RunAsync(id, entry, work, token).ConfigureAwait(false);
        }, CancellationToken.None);
        return id;
    }

    /// <summary><see cref="Start"/>, returning once the job is visible to every replica (when they share a store).</summary>
    public async Task<string> SubmitAsync(Func<CancellationToken, Task<JsonObject>> work)
    {
        var id = Start(work);
        Task published;
        lock (gate)
        {
            published = entries.TryGetValue(id, out var entry) ? entry.Published : Task.CompletedTask;
        }

        await published.ConfigureAwait(false);
        return id;
    }

    /// <summary><see cref="Find"/>, then the shared store for jobs another replica took.</summary>
    public async Task<AsyncJobState?> FindAsync(string id) =>
        Find(id) ?? (shared is null ? null : await shared.FindAsync(id).ConfigureAwait(false));

    /// <summary>The job's state, or null for an id never issued, already expired or evicted.</summary>
    public AsyncJobState? Find(string id)
    {
        lock (gate)
        {
            Purge();
            return entries.TryGetValue(id, out var entry) ? new AsyncJobState(entry.Result is not null, entry.Result) : null;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Cancels every running job (each finishes with <see cref="ShutdownMessage"/>) and waits for them, within the host's stop timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (gate)
        {
            running = entries.Values.Where(e => e.Result is null && e.Work is not null).Select(e => e.Work!).ToArray();
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("stopped waiting for {Count} async jobs: the host's stop timeout passed", running.Length);
        }
    }

    public void Dispose() => stopping.Dispose();

    /// <summary><c>{"error":{"msg":"…"}}</c>: the failed-job result, with the same inner object as the routes' errors.</summary>
    public static JsonObject ErrorResult(string message) => new() { ["error"] = new JsonObject { ["msg"] = message } };

    private async Task RunAsync(string id, Entry entry, Func<CancellationToken, Task<JsonObject>> work, CancellationToken token)
    {
        JsonObject result;
        try
        {
            result = await work(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            result = ErrorResult(ShutdownMessage);
        }
        catch (GatewayError e)
        {
            // Refused on the way, e.g. a payment the caller's budget cannot cover: the reason, not an internal error.
            result = ErrorResult(e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "async job {RequestId} failed inside the gateway", id);
            result = ErrorResult("internal gateway error: " + e.Message);
        }

        var element = JsonSerializer.SerializeToElement(result, WireJson.Options);
        lock (gate)
        {
            entry.Result = element;
            pending--;
            finished.Enqueue((id, time.GetUtcNow()));
            Purge();
        }

        if (shared is not null)
        {
            await shared.PublishResultAsync(id, element, options.Value.ResultTtl).ConfigureAwait(false);
        }
    }

    /// <summary>Drops finished results past their TTL or beyond the count bound; finish order is expiry order.</summary>
    private void Purge()
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        while (finished.TryPeek(out var oldest) && (finished.Count > limits.MaxResults || oldest.FinishedAt + limits.ResultTtl <= now))
        {
            finished.Dequeue();
            entries.Remove(oldest.Id);
        }
    }

    private sealed class Entry
    {
        public Task? Work { get; set; }

        public Task Published { get; set; } = Task.CompletedTask;

        public JsonElement? Result { get; set; }
    }
}
