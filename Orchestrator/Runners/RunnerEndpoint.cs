using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Orchestrator.Runners;

public enum RunnerState
{
    Starting,
    Ready,
    Failed,

    /// <summary>Was ready, then stopped answering /health; takes no jobs and is not advertised until it answers again.</summary>
    Unhealthy,
}

/// <summary>One external runner from aiModels.json with its readiness, reported info and in-use slots.</summary>
public sealed class RunnerEndpoint(ModelEntry entry)
{
    private int _inUse;
    private volatile RunnerState _state = RunnerState.Starting;

    public ModelEntry Entry { get; } = entry;
    public Uri BaseUrl => Entry.RunnerUrl;
    public int Capacity => Entry.Capacity;
    public int InUse => Volatile.Read(ref _inUse);
    public RunnerState State => _state;
    public string? LastStatus { get; private set; }
    public string? FailureReason { get; private set; }
    public string Version { get; private set; } = "";
    public HardwareInformation? Hardware { get; private set; }

    /// <summary>The runner's /version advertised per-step progress (the proposed ai-runner extension).</summary>
    public bool Progress { get; private set; }

    public void ReportStatus(string status) => LastStatus = status;

    public void MarkReady(string version, HardwareInformation hardware, bool progress = false)
    {
        Version = version;
        Progress = progress;
        Hardware = hardware;
        _state = RunnerState.Ready;
    }

    /// <summary>Ready → Unhealthy (from the health watch); any other state is left alone.</summary>
    public bool MarkUnhealthy(string reason)
    {
        if (_state != RunnerState.Ready)
        {
            return false;
        }

        FailureReason = reason;
        _state = RunnerState.Unhealthy;
        return true;
    }

    /// <summary>Unhealthy → Ready once /health answers again.</summary>
    public bool MarkRecovered()
    {
        if (_state != RunnerState.Unhealthy)
        {
            return false;
        }

        FailureReason = null;
        _state = RunnerState.Ready;
        return true;
    }

    public void MarkFailed(string reason)
    {
        FailureReason = reason;
        _state = RunnerState.Failed;
    }

    /// <summary>Takes one slot if the runner is ready and not full.</summary>
    public bool TryTake()
    {
        while (_state == RunnerState.Ready)
        {
            var current = Volatile.Read(ref _inUse);
            if (current >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inUse, current + 1, current) == current)
            {
                return true;
            }
        }

        return false;
    }

    public void Release() => Interlocked.Decrement(ref _inUse);
}

/// <summary>A held runner slot; disposing gives it back exactly once.</summary>
public sealed class RunnerLease(RunnerEndpoint runner) : IDisposable
{
    private int _released;

    public RunnerEndpoint Runner { get; } = runner;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Runner.Release();
        }
    }
}
