namespace LivepeerAspire.LoadTests;

/// <summary>What a command needs from its surroundings; tests swap the writers and the clock.</summary>
public sealed class CliContext
{
    public required IReadOnlyList<string> Args { get; init; }
    public TextWriter Out { get; init; } = Console.Out;
    public TextWriter Error { get; init; } = Console.Error;
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Live progress only on an interactive terminal.</summary>
    public bool ShowProgress { get; init; }

    public Func<HttpClient> CreateHttpClient { get; init; } = Running.RunExecutor.CreateHttpClient;

    /// <summary>How experiments start their networks: through the AppHost, unless a test swaps it.</summary>
    public Experiments.INetworkLauncher Networks { get; init; } = new Experiments.AspireNetworkLauncher();
}
