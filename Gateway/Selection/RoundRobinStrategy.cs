using System.Collections.Concurrent;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>Each (pipeline, model) rotates over its candidates in service-URI order, busy or not.</summary>
public sealed class RoundRobinStrategy : ISelectionStrategy
{
    public const string StrategyName = "round-robin";
    private readonly ConcurrentDictionary<string, StrongBox<long>> counters = new(StringComparer.Ordinal);

    public string Name => StrategyName;

    public SelectionResult Select(IReadOnlyList<Sessions.AiSession> candidates, SelectionContext context)
    {
        var counter = counters.GetOrAdd(context.Pipeline.Name + "|" + context.ModelId, _ => new StrongBox<long>(-1));
        var next = Interlocked.Increment(ref counter.Value);
        var ordered = candidates.OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        return SelectionResult.Of(ordered[(int)(next % ordered.Count)]);
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value = value;
    }
}
