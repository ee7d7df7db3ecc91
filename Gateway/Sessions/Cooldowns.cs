using System.Collections.Concurrent;

namespace LivepeerAspire.Gateway.Sessions;

/// <summary>
/// LiteLLM-style cooldown per (orchestrator, pipeline, model): after "insufficient capacity" or a ticket error an
/// orchestrator is skipped for Timeouts:CooldownTime by every request, not only the one that saw the error
/// (go-livepeer parks it for the failing request only, #3400 proposed a timed hold). No suspension.
/// </summary>
public sealed class Cooldowns(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> until = new(StringComparer.Ordinal);

    private static string KeyOf(string orchestrator, string pipeline, string model) => $"{orchestrator}|{pipeline}|{model}";

    public void CoolDown(string orchestrator, string pipeline, string model, TimeSpan duration)
    {
        if (duration > TimeSpan.Zero)
        {
            until[KeyOf(orchestrator, pipeline, model)] = time.GetUtcNow() + duration;
        }
    }

    public TimeSpan Remaining(string orchestrator, string pipeline, string model)
    {
        if (!until.TryGetValue(KeyOf(orchestrator, pipeline, model), out var end))
        {
            return TimeSpan.Zero;
        }

        var left = end - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
