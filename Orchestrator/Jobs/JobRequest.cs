namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>What the orchestrator needs from a job body: the model asked for ("" = default) and the billing units.</summary>
public sealed record JobRequest(string RequestedModel, long Units);

public readonly record struct JobParse(JobRequest? Job, string? Error)
{
    /// <summary>The answer's status when <see cref="Error"/> is set: 400, or 503 when this host cannot measure the job.</summary>
    public int Status { get; init; } = StatusCodes.Status400BadRequest;

    public static JobParse Ok(string model, long units) => new(new JobRequest(model, units), null);

    public static JobParse Fail(string error) => new(null, error);
}
