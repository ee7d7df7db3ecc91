using System.Globalization;

namespace LivepeerAspire.LoadTests.Stats;

/// <summary>
/// Service-level objective for goodput, vLLM-style: a request is good only if it succeeded and meets every
/// bound that is set (end-to-end latency, TTFT and TPOT; TTFT/TPOT apply to streamed jobs only).
/// </summary>
public sealed record Slo(double? LatencyMs, double? TtftMs = null, double? TpotMs = null)
{
    public static Slo None { get; } = new(LatencyMs: null);

    public bool IsSet => LatencyMs is not null || TtftMs is not null || TpotMs is not null;

    public bool Meets(Running.RequestRecord r)
    {
        if (!r.IsOk)
        {
            return false;
        }

        if (LatencyMs is { } l && r.LatencyMs > l)
        {
            return false;
        }

        if (TtftMs is { } t && r.TtftMs is { } rt && rt > t)
        {
            return false;
        }

        return TpotMs is not { } p || r.TpotMs is not { } rp || rp <= p;
    }

    public string Describe()
    {
        if (!IsSet)
        {
            return "none (every successful request counts)";
        }

        var parts = new List<string>();
        if (LatencyMs is { } l)
        {
            parts.Add($"latency ≤ {Ms(l)}");
        }

        if (TtftMs is { } t)
        {
            parts.Add($"TTFT ≤ {Ms(t)}");
        }

        if (TpotMs is { } p)
        {
            parts.Add($"TPOT ≤ {Ms(p)}");
        }

        return string.Join(" and ", parts);
    }

    private static string Ms(double v) => v.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}
