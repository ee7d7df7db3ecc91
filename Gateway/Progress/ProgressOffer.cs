using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Progress;

/// <summary>Whether one attempt runs as an interactive job: a diffusion pipeline, offered by the orchestrator, wanted here.</summary>
public sealed class ProgressOffer(IOptionsMonitor<ProgressOptions> options)
{
    public ProgressOptions Options => options.CurrentValue;

    public static bool Pipeline(Pipeline pipeline) =>
        pipeline.Name is "text-to-image" or "image-to-image" or "image-to-video" or "upscale";

    /// <summary>The orchestrator advertised progress for the (pipeline, model): ModelConstraint field 100.</summary>
    public static bool Offered(AiSession session) =>
        session.Info.Capabilities?.Constraints?.PerCapability is { } perCap
        && perCap.TryGetValue((uint)session.Pipeline.CapabilityId, out var models)
        && models.Models.TryGetValue(session.ModelId, out var constraint)
        && constraint.ProgressSteps > 0;

    public bool Use(GatewayJob job, AiSession session) =>
        Pipeline(job.Pipeline) && (Options.Enabled || job.ProgressSink is not null) && Offered(session);
}

/// <summary>Where a client that asked for <c>text/event-stream</c> gets the attempts' progress events.</summary>
public interface IProgressSink
{
    Task ProgressAsync(Protocol.Progress.ProgressEvent progress, CancellationToken cancellationToken);
}
