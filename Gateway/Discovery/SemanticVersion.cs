using System.Globalization;
using System.Text.RegularExpressions;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// major.minor.patch of a version string, read as leniently as go-livepeer's semver library reads it: an optional
/// leading "v", minor and patch optional (they default to 0), then an optional pre-release and build suffix. Both
/// suffixes are checked for form and then dropped, because go-livepeer compares versions without them (its runners
/// use the suffix as a post-release tag).
/// </summary>
public readonly partial record struct SemanticVersion(ulong Major, ulong Minor, ulong Patch) : IComparable<SemanticVersion>
{
    public static bool TryParse(string? text, out SemanticVersion version)
    {
        version = default;
        var match = text is null ? null : Shape().Match(text);
        if (match is not { Success: true })
        {
            return false;
        }

        if (match.Groups["pre"].Success && match.Groups["pre"].Value.Split('.').Any(HasLeadingZero))
        {
            return false;
        }

        if (!ulong.TryParse(match.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !TryPart(match.Groups["minor"], out var minor)
            || !TryPart(match.Groups["patch"], out var patch))
        {
            return false;
        }

        version = new SemanticVersion(major, minor, patch);
        return true;
    }

    public int CompareTo(SemanticVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    public override string ToString() => $"{Major}.{Minor}.{Patch}";

    private static bool TryPart(Group group, out ulong value)
    {
        value = 0;
        return !group.Success || ulong.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // SemVer forbids leading zeros in numeric pre-release identifiers ("1.2.3-01"), and go-livepeer's library refuses them.
    private static bool HasLeadingZero(string identifier) =>
        identifier.Length > 1 && identifier[0] == '0' && identifier.All(char.IsAsciiDigit);

    [GeneratedRegex(@"^v?(?<major>[0-9]+)(?:\.(?<minor>[0-9]+))?(?:\.(?<patch>[0-9]+))?(?:-(?<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
