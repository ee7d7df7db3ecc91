namespace LivepeerAspire.AppHost.Hosting;

public enum RestartMode
{
    Never,
    OnFailure,
    Always,
}

/// <summary>
/// What to do when a child exits without being asked to: restart on failure (non-zero exit) up to
/// <see cref="MaxRestarts"/> times, with an exponential back-off starting at <see cref="InitialBackoff"/>.
/// </summary>
public sealed record RestartPolicy(RestartMode Mode, int MaxRestarts, TimeSpan InitialBackoff)
{
    public static RestartPolicy Never { get; } = new(RestartMode.Never, 0, TimeSpan.Zero);

    public static RestartPolicy Default { get; } = new(RestartMode.OnFailure, 3, TimeSpan.FromSeconds(1));

    public bool ShouldRestart(int exitCode, int restartsSoFar) =>
        restartsSoFar < MaxRestarts && Mode switch
        {
            RestartMode.Always => true,
            RestartMode.OnFailure => exitCode != 0,
            _ => false,
        };

    public TimeSpan BackoffFor(int restartsSoFar)
    {
        var factor = Math.Pow(2, Math.Min(restartsSoFar, 4));
        var delay = TimeSpan.FromMilliseconds(InitialBackoff.TotalMilliseconds * factor);
        return delay > TimeSpan.FromSeconds(15) ? TimeSpan.FromSeconds(15) : delay;
    }
}
