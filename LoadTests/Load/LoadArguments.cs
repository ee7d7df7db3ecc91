using System.Globalization;
using System.Text.RegularExpressions;

namespace LivepeerAspire.LoadTests.Load;

/// <summary>Turns command-line values into a validated simulation; every error names the bad value and the fix.</summary>
public static partial class LoadArguments
{
    public static IReadOnlyList<string> Kinds { get; } = ["inject", "poisson", "ramping-inject", "keep-constant"];

    public static LoadSimulation Build(string kind, double? rate, double? fromRate, int? copies, TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new UsageException($"bad duration {duration.TotalSeconds:0.###} s: it must be positive");
        }

        switch (kind.ToLowerInvariant())
        {
            case "inject":
                return new InjectSimulation(RequireRate(rate, "--rate"), duration);
            case "poisson":
                return new PoissonSimulation(RequireRate(rate, "--rate"), duration);
            case "ramping-inject":
                var to = RequireRate(rate, "--rate");
                var from = fromRate ?? 0;
                if (from < 0 || !double.IsFinite(from))
                {
                    throw new UsageException($"bad --from-rate {from}: use a rate ≥ 0 requests per second");
                }

                return new RampingInjectSimulation(from, to, duration);
            case "keep-constant":
                if (copies is null or < 1 or > 10_000)
                {
                    throw new UsageException($"bad --copies {copies?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"}: keep-constant needs 1..10000 copies");
                }

                return new KeepConstantSimulation(copies.Value, duration);
            default:
                throw new UsageException($"unknown load simulation '{kind}'; known: {string.Join(", ", Kinds)}");
        }
    }

    private static double RequireRate(double? rate, string option)
    {
        if (rate is null)
        {
            throw new UsageException($"missing {option}: give a rate in requests per second, e.g. {option} 5");
        }

        if (!double.IsFinite(rate.Value) || rate.Value <= 0 || rate.Value > 100_000)
        {
            throw new UsageException($"bad {option} {rate.Value.ToString(CultureInfo.InvariantCulture)}: use a rate above 0 and at most 100000 requests per second");
        }

        return rate.Value;
    }

    /// <summary>Parses <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, a plain number of seconds or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var m = DurationPattern().Match(text.Trim());
        if (m.Success)
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var seconds = m.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" => value / 1000,
                "m" or "min" => value * 60,
                "h" => value * 3600,
                _ => value,
            };
            if (!double.IsFinite(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                return false;
            }

            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return text.Contains(':') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }

    [GeneratedRegex(@"^(-?\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();
}
