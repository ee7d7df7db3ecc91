namespace LivepeerAspire.Protocol.Pipelines;

/// <summary>How a pipeline's request body travels: JSON (text-to-image, llm, text-to-speech) or multipart form.</summary>
public enum RequestBodyKind
{
    Json,
    Multipart,
}

/// <summary>
/// One batch AI pipeline as go-livepeer knows it: its route, capability id (core/capabilities.go),
/// the model the gateway uses when a request names none, and the default denoising steps the gateway
/// assumes when it turns a job's duration into a latency score.
/// </summary>
public sealed record Pipeline(
    string Name,
    int CapabilityId,
    string DefaultModelId,
    RequestBodyKind BodyKind,
    int DefaultLatencySteps)
{
    /// <summary>The HTTP route on gateway, orchestrator and runner, e.g. <c>/text-to-image</c>.</summary>
    public string Route => "/" + Name;

    /// <summary>go-livepeer's balance and session key for a (capability, model) pair, e.g. <c>27_stabilityai/sd-turbo</c>.</summary>
    public string ManifestId(string modelId) => $"{CapabilityId}_{modelId}";

    public override string ToString() => Name;
}
