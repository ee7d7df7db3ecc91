using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>Each (pipeline, model) rotates over its candidates in service-URI order, busy or not.</summary>
public sealed class RoundRobinStrategy : ISelectionStrategy
{
    public const string StrategyName = "round-robin";
    private readonly ConcurrentDictionary<PipelineModel, StrongBox<long>> counters = new();

    public string Name => StrategyName;

    public SelectionResult Select(IReadOnlyList<Sessions.AiSession> candidates, SelectionContext context)
    {
        var counter = counters.GetOrAdd(context.Target, _ => new StrongBox<long>(-1));
        var next = Interlocked.Increment(ref counter.Value);
        var ordered = candidates.OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        return SelectionResult.Of(ordered[(int)(next % ordered.Count)]);
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value = value;
    }
}
