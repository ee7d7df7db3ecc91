using LivepeerAspire.Protocol.Pipelines.Contracts;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// One client request ready to send to an orchestrator. The body is buffered (with the resolved model id written
/// in) so that a failed attempt can be repeated on another orchestrator.
/// </summary>
public sealed class GatewayJob
{
    public required Pipeline Pipeline { get; init; }

    public required string ModelId { get; init; }

    public required JobUnits Units { get; init; }

    public required byte[] Body { get; init; }

    public required string ContentType { get; init; }

    /// <summary>Streamed LLM answer (SSE).</summary>
    public bool Stream { get; init; }

    public TimeSpan Deadline { get; set; }

    /// <summary>The client asked for progress events (<c>Accept: text/event-stream</c> on a batch route).</summary>
    public Progress.IProgressSink? ProgressSink { get; set; }

    public long StartedTimestamp { get; set; }
}
