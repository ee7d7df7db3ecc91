namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Discovery:OrchMinLivepeerVersion [-orchMinLivepeerVersion]: the lowest Capabilities.version an orchestrator may
/// advertise. Without a minimum every orchestrator passes. With one, an empty or "undefined" version and a version
/// that does not parse fail, as in go-livepeer. Deviation: go-livepeer lets everyone pass when the minimum itself
/// does not parse; here such a minimum is refused at start (<see cref="DiscoveryOptions.Validate"/>).
/// </summary>
public sealed class MinLivepeerVersion
{
    private readonly SemanticVersion? minimum;

    private MinLivepeerVersion(SemanticVersion? minimum, string text)
    {
        this.minimum = minimum;
        Text = text;
    }

    public static MinLivepeerVersion None { get; } = new(null, "");

    public string Text { get; }

    public bool IsSet => minimum is not null;

    /// <summary>The constraint for an option value; empty means none.</summary>
    public static bool TryCreate(string? option, out MinLivepeerVersion constraint)
    {
        constraint = None;
        if (string.IsNullOrEmpty(option))
        {
            return true;
        }

        if (!SemanticVersion.TryParse(option, out var parsed))
        {
            return false;
        }

        constraint = new MinLivepeerVersion(parsed, option);
        return true;
    }

    /// <summary>Null when the advertised version passes, else why it does not.</summary>
    public string? Rejects(string? advertised)
    {
        if (minimum is not { } min)
        {
            return null;
        }

        if (string.IsNullOrEmpty(advertised) || advertised == "undefined")
        {
            return $"advertises no version (\"{advertised}\"), and Discovery:OrchMinLivepeerVersion is {Text}";
        }

        if (!SemanticVersion.TryParse(advertised, out var version))
        {
            return $"advertises version \"{advertised}\", which is not a semantic version";
        }

        return version.CompareTo(min) < 0
            ? $"advertises version {advertised}, older than Discovery:OrchMinLivepeerVersion {Text}"
            : null;
    }
}
