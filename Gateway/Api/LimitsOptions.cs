namespace LivepeerAspire.Gateway.Api;

/// <summary>Configuration section <c>Limits</c>: request body sizes (go-livepeer allows 3 GB; the runner refuses files over 50 MiB).</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    public long MaxJsonBytes { get; set; } = 1 << 20;

    public long MaxMultipartBytes { get; set; } = 50L << 20;

    public IEnumerable<string> Validate()
    {
        if (MaxJsonBytes <= 0)
        {
            yield return $"Limits:MaxJsonBytes must be positive (got {MaxJsonBytes})";
        }

        if (MaxMultipartBytes <= 0)
        {
            yield return $"Limits:MaxMultipartBytes must be positive (got {MaxMultipartBytes})";
        }
    }
}
