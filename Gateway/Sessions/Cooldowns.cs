using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Sessions;

/// <summary>
/// LiteLLM-style cooldown per (orchestrator, pipeline, model): after "insufficient capacity" or a ticket error an
/// orchestrator is skipped for Timeouts:CooldownTime by every request, not only the one that saw the error
/// (go-livepeer parks it for the failing request only, #3400 proposed a timed hold). No suspension.
/// </summary>
public sealed class Cooldowns(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Orchestrator, PipelineModel Target), DateTimeOffset> until = new();

    public void CoolDown(string orchestrator, PipelineModel target, TimeSpan duration)
    {
        if (duration > TimeSpan.Zero)
        {
            until[(orchestrator, target)] = time.GetUtcNow() + duration;
        }
    }

    /// <summary>Raised by <see cref="End"/>: replicas sharing state tell each other (SharedState's slot relay).</summary>
    public event Action<string, PipelineModel>? Ended;

    /// <summary>This gateway's own attempt there ended, so a slot is free whatever the last 503 said.</summary>
    public void End(string orchestrator, PipelineModel target)
    {
        until.TryRemove((orchestrator, target), out _);
        Ended?.Invoke(orchestrator, target);
    }

    /// <summary>Another replica's attempt there ended: the slot it held is free for this replica too.</summary>
    public void EndFromPeer(string orchestrator, PipelineModel target) => until.TryRemove((orchestrator, target), out _);

    public TimeSpan Remaining(string orchestrator, PipelineModel target)
    {
        if (!until.TryGetValue((orchestrator, target), out var end))
        {
            return TimeSpan.Zero;
        }

        var left = end - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
