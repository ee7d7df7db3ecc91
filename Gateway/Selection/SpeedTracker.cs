using System.Collections.Concurrent;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// EWMA of measured seconds per work unit per (orchestrator, pipeline, model), from each finished job's duration
/// and units. A job that timed out or failed after running counts with its elapsed time as a lower bound, so a
/// hung orchestrator looks slow rather than unknown.
/// </summary>
public sealed class SpeedTracker(StrategySelector selection)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public sealed class Entry
    {
        public double SecondsPerUnit;
        public int Samples;
        public int Explorations;
    }

    public static string KeyOf(string orchestrator, string pipeline, string model) => $"{orchestrator}|{pipeline}|{model}";

    public Entry? Get(string orchestrator, string pipeline, string model) =>
        entries.GetValueOrDefault(KeyOf(orchestrator, pipeline, model));

    public void Record(string orchestrator, string pipeline, string model, TimeSpan took, double work)
    {
        if (work <= 0 || took <= TimeSpan.Zero)
        {
            return;
        }

        var sample = took.TotalSeconds / work;
        var alpha = selection.Options.Adaptive.EwmaAlpha;
        var entry = entries.GetOrAdd(KeyOf(orchestrator, pipeline, model), _ => new Entry());
        lock (entry)
        {
            entry.SecondsPerUnit = entry.Samples == 0 ? sample : (alpha * sample) + ((1 - alpha) * entry.SecondsPerUnit);
            entry.Samples++;
        }
    }

    /// <summary>Counts an exploration job sent to an orchestrator with no sample yet; false once the budget is spent.</summary>
    public bool TryExplore(string orchestrator, string pipeline, string model, int budget)
    {
        var entry = entries.GetOrAdd(KeyOf(orchestrator, pipeline, model), _ => new Entry());
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

    public IReadOnlyDictionary<string, (double SecondsPerUnit, int Samples)> Snapshot() =>
        entries.ToDictionary(e => e.Key, e => (e.Value.SecondsPerUnit, e.Value.Samples));
}
