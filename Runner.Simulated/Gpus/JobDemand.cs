namespace LivepeerAspire.Runner.Simulated.Gpus;

/// <summary>What a job asks of the GPU, for the oom fault ("out of memory on large inputs") and the load policy.</summary>
public sealed record JobDemand
{
    public long Pixels { get; init; }
    public int Tokens { get; init; }
    public double AudioSeconds { get; init; }
    /// <summary>A streaming LLM job (a stall fault stops it mid-stream; other jobs hang instead).</summary>
    public bool Streaming { get; init; }
    /// <summary>Keep-alive after this job; null = the GPU's default.</summary>
    public TimeSpan? KeepAlive { get; init; }
    /// <summary>Which API the job came through: Ollama defaults to a 5 minute keep-alive, the ai-runner to forever.</summary>
    public bool Ollama { get; init; }
}
