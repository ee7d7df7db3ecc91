using LivepeerAspire.Protocol.Configuration;
using System.Globalization;

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

    /// <summary>A Go duration (<c>30s</c>, <c>500ms</c>, <c>1m30s</c>), <c>hh:mm:ss</c>, or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : default;
            return duration != default || seconds == 0;
        }

        return GoDuration.TryParse(text, out duration);
    }
}
