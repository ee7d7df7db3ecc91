using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Orchestrator.Models;

/// <summary>Everything the orchestrator serves, grouped by (pipeline, model) in aiModels.json order.</summary>
public sealed class ModelCatalog
{
    public ModelCatalog(IReadOnlyList<ModelEntry> entries)
    {
        Models = entries
            .GroupBy(e => (e.Pipeline, e.ModelId))
            .Select(g => new ServedModel(g.Key.Pipeline, g.Key.ModelId, g.ToList()))
            .ToList();
    }

    public IReadOnlyList<ServedModel> Models { get; }

    public IEnumerable<RunnerEndpoint> Runners => Models.SelectMany(m => m.Runners);

    public IReadOnlyList<ServedModel> ForPipeline(Pipeline pipeline) => Models.Where(m => m.Pipeline == pipeline).ToList();

    /// <summary>
    /// The model a job asks for. An empty id means the only model this orchestrator has for the pipeline,
    /// else the pipeline's default model (as the go-livepeer gateway picks it).
    /// </summary>
    public ServedModel? Resolve(Pipeline pipeline, string? requested)
    {
        var candidates = ForPipeline(pipeline);
        if (string.IsNullOrEmpty(requested))
        {
            return candidates.Count == 1
                ? candidates[0]
                : candidates.FirstOrDefault(m => string.Equals(m.ModelId, pipeline.DefaultModelId, StringComparison.OrdinalIgnoreCase));
        }

        return candidates.FirstOrDefault(m => string.Equals(m.ModelId, requested, StringComparison.Ordinal))
            ?? candidates.FirstOrDefault(m => string.Equals(m.ModelId, requested, StringComparison.OrdinalIgnoreCase));
    }
}
