using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Faults;

/// <summary>The fault kinds, their parameters and defaults; one check used by the fleet file and the admin API.</summary>
public static class FaultKinds
{
    public const string Crash = "crash";
    public const string Hang = "hang";
    public const string Slow = "slow";
    public const string Errors = "errors";
    public const string Stall = "stall";
    public const string Oom = "oom";
    public const string Flap = "flap";

    public static readonly string[] All = [Crash, Hang, Slow, Errors, Stall, Oom, Flap];

    public const int DefaultStallAfterTokens = 3;
    public const long DefaultOomMaxPixels = 512 * 512;
    public const int DefaultOomMaxTokens = 512;
    public const double DefaultOomMaxAudioSeconds = 30;

    /// <summary>Returns (member, reason) for the first problem, or null when the spec is valid for a GPU of that pipeline.</summary>
    public static (string Member, string Reason)? Check(FaultSpec spec, string pipeline)
    {
        if (!All.Contains(spec.Kind))
        {
            return ("kind", $"unknown fault kind '{spec.Kind}'; known: {string.Join(", ", All)}");
        }

        var allowed = spec.Kind switch
        {
            Slow => new[] { "factor" },
            Errors => ["rate"],
            Flap => ["periodSeconds"],
            Stall => ["afterTokens"],
            Oom => ["maxPixels", "maxTokens", "maxAudioSeconds"],
            _ => [],
        };
        foreach (var (member, isSet) in Members(spec))
        {
            if (isSet && !allowed.Contains(member))
            {
                return (member, $"does not apply to a '{spec.Kind}' fault" + (allowed.Length > 0 ? $" (it takes {string.Join(", ", allowed)})" : ""));
            }
        }

        switch (spec.Kind)
        {
            case Slow when spec.Factor is not { } f || !(f > 0) || double.IsInfinity(f):
                return ("factor", "a slow fault needs a positive factor (10 = ten times slower)");
            case Errors when spec.Rate is not { } r || !(r >= 0 && r <= 1):
                return ("rate", "an errors fault needs a rate between 0 and 1");
            case Flap when spec.PeriodSeconds is not { } s || !(s > 0) || double.IsInfinity(s):
                return ("periodSeconds", "a flap fault needs a positive periodSeconds");
            case Stall when pipeline != "llm":
                return ("kind", "a stall fault applies to llm GPUs only (it stops a token stream)");
            case Stall when spec.AfterTokens is < 0:
                return ("afterTokens", "must be zero or positive");
            case Oom when spec.MaxPixels is <= 0:
                return ("maxPixels", "must be positive");
            case Oom when spec.MaxTokens is <= 0:
                return ("maxTokens", "must be positive");
            case Oom when spec.MaxAudioSeconds is { } a && !(a > 0):
                return ("maxAudioSeconds", "must be positive");
        }

        if (spec.AtSeconds is { } at && !(at >= 0 && !double.IsInfinity(at)))
        {
            return ("atSeconds", "must be zero or positive (simulated seconds after start)");
        }

        if (spec.ForSeconds is { } d && !(d > 0 && !double.IsInfinity(d)))
        {
            return ("forSeconds", "must be positive (simulated seconds)");
        }

        return null;
    }

    private static IEnumerable<(string, bool)> Members(FaultSpec s) =>
    [
        ("factor", s.Factor is not null),
        ("rate", s.Rate is not null),
        ("periodSeconds", s.PeriodSeconds is not null),
        ("afterTokens", s.AfterTokens is not null),
        ("maxPixels", s.MaxPixels is not null),
        ("maxTokens", s.MaxTokens is not null),
        ("maxAudioSeconds", s.MaxAudioSeconds is not null),
    ];
}
