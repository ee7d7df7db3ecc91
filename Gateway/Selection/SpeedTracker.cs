using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// EWMA of measured seconds per work unit per (orchestrator, pipeline, model), from each finished job's duration
/// and units. A job that timed out or failed after running counts with its elapsed time as a lower bound, so a
/// hung orchestrator looks slow rather than unknown.
/// </summary>
public sealed class SpeedTracker(StrategySelector selection, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Orchestrator, PipelineModel Target), Entry> entries = new();

    public sealed class Entry
    {
        public double SecondsPerUnit;
        public int Samples;
        public int Explorations;
        public DateTimeOffset LastTouched;
    }

    public Entry? Get(string orchestrator, PipelineModel target) =>
        entries.GetValueOrDefault((orchestrator, target));

    public void Record(string orchestrator, PipelineModel target, TimeSpan took, double work)
    {
        if (work <= 0 || took <= TimeSpan.Zero)
        {
            return;
        }

        var sample = took.TotalSeconds / work;
        Apply(orchestrator, target, sample);
        Sampled?.Invoke(orchestrator, target, sample);
    }

    /// <summary>Raised by <see cref="Record"/> with the sample in seconds per unit: replicas sharing state tell each other.</summary>
    public event Action<string, PipelineModel, double>? Sampled;

    /// <summary>A sample another replica measured, folded in as if this replica had measured it.</summary>
    public void RecordFromPeer(string orchestrator, PipelineModel target, double secondsPerUnit)
    {
        if (secondsPerUnit > 0 && double.IsFinite(secondsPerUnit))
        {
            Apply(orchestrator, target, secondsPerUnit);
        }
    }

    private void Apply(string orchestrator, PipelineModel target, double sample)
    {
        var alpha = selection.Options.Adaptive.EwmaAlpha;
        var entry = entries.GetOrAdd((orchestrator, target), _ => new Entry());
        lock (entry)
        {
            entry.SecondsPerUnit = entry.Samples == 0 ? sample : (alpha * sample) + ((1 - alpha) * entry.SecondsPerUnit);
            entry.Samples++;
            entry.LastTouched = time.GetUtcNow();
        }
    }

    /// <summary>Counts an exploration job sent to an orchestrator with no sample yet; false once the budget is spent.</summary>
    public bool TryExplore(string orchestrator, PipelineModel target, int budget)
    {
        var entry = entries.GetOrAdd((orchestrator, target), _ => new Entry());
        lock (entry)
        {
            if (entry.Samples > 0 || entry.Explorations >= budget)
            {
                return false;
            }

            entry.Explorations++;
            return true;
        }
    }

    /// <summary>
    /// One re-probe of an orchestrator whose measurement is older than <paramref name="after"/>: without it, one that
    /// looked slow (say, a timeout before a restart) would never be chosen again and never measured again.
    /// </summary>
    public bool TryReprobe(string orchestrator, PipelineModel target, TimeSpan after)
    {
        if (after <= TimeSpan.Zero || Get(orchestrator, target) is not { Samples: > 0 } entry)
        {
            return false;
        }

        lock (entry)
        {
            var now = time.GetUtcNow();
            if (now - entry.LastTouched < after)
            {
                return false;
            }

            entry.LastTouched = now;
            return true;
        }
    }

    public IReadOnlyDictionary<(string Orchestrator, PipelineModel Target), (double SecondsPerUnit, int Samples)> Snapshot() =>
        entries.ToDictionary(e => e.Key, e => (e.Value.SecondsPerUnit, e.Value.Samples));
}
