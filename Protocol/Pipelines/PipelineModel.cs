namespace LivepeerAspire.Protocol.Pipelines;

/// <summary>A (pipeline, model) pair: the key of per-model state (selection counters, speeds, cool-downs, budgets).</summary>
public readonly record struct PipelineModel(Pipeline Pipeline, string ModelId)
{
    public override string ToString() => $"{Pipeline.Name} {ModelId}";
}
