namespace LivepeerAspire.Gateway.FrontDoor;

/// <summary>
/// Configuration section <c>FrontDoor</c>: when <see cref="Replicas"/> is set, this process is not a gateway but the one
/// address in front of gateway replicas (YARP: load balancing, health checks, no state of its own).
/// </summary>
public sealed class FrontDoorOptions
{
    public const string Section = "FrontDoor";

    /// <summary>
    /// The replicas, comma-separated, each a base URL or <c>name=URL</c> (<c>gateway-1=http://127.0.0.1:9936,…</c>); the name
    /// is what <c>Livepeer-Gateway-Replica</c> reports (replica-1, replica-2 … without one).
    /// </summary>
    public string Replicas { get; set; } = "";

    /// <summary>How often each replica's <c>/alive</c> is probed; two failures in a row take it out of rotation.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest silence on a proxied request (an image-to-video job can take minutes at real time scale).</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public IReadOnlyList<(string Name, Uri Uri)> ReplicaUris() =>
        Replicas.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((r, i) => r.Split('=', 2) is [var name, var url] ? (Name: name.Trim(), Url: url.Trim()) : (Name: $"replica-{i + 1}", Url: r))
            .Select(r => Uri.TryCreate(r.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? (r.Name, uri)
                : throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(FrontDoorOptions), typeof(FrontDoorOptions),
                    [$"FrontDoor:Replicas entry '{r.Url}' is not an absolute http(s) URL; list the replicas as http://127.0.0.1:PORT or name=http://127.0.0.1:PORT, comma-separated"]))
            .ToList();
}
