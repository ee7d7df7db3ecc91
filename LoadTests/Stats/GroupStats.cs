using System.Numerics;
using LivepeerAspire.LoadTests.Running;

namespace LivepeerAspire.LoadTests.Stats;

/// <summary>Stats of a set of measured requests (a run, one job kind of it, or one orchestrator's share).</summary>
public sealed record GroupStats
{
    public required string Name { get; init; }
    public int Count { get; init; }
    public int Ok { get; init; }
    public int Failed { get; init; }
    public int Timeouts { get; init; }

    /// <summary>Failure reason → count, most frequent first.</summary>
    public IReadOnlyDictionary<string, int> FailureReasons { get; init; } = new Dictionary<string, int>();

    /// <summary>Completed requests (any outcome) per second of the measured phase.</summary>
    public double Rps { get; init; }

    public double OkRps { get; init; }

    /// <summary>Latency of successful requests, from the intended send time.</summary>
    public required Distribution Latency { get; init; }

    /// <summary>Latency of successful requests from the actual send time (what a closed-loop tool would show).</summary>
    public required Distribution ServiceTime { get; init; }

    public required Distribution Ttft { get; init; }

    /// <summary>Inter-token latency: every gap between consecutive content chunks, pooled over requests.</summary>
    public required Distribution Itl { get; init; }

    public required Distribution Tpot { get; init; }

    public long OutputTokens { get; init; }
    public double OutputTokensPerSecond { get; init; }
    public int Good { get; init; }
    public double GoodputRps { get; init; }

    /// <summary>Share of the run's measured requests that fell in this group.</summary>
    public double Share { get; init; }

    public string TotalFeeWei { get; init; } = "0";
    public double CostPerJobWei { get; init; }
    public double CostPerOkJobWei { get; init; }

    /// <summary>Mean Livepeer-Attempts of the requests that reported it.</summary>
    public double MeanAttempts { get; init; }

    public double SuccessRate => Count == 0 ? double.NaN : (double)Ok / Count;

    private static readonly System.Text.RegularExpressions.Regex Url = new(@"https?://[^\s;,]+", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>Failure reason for grouping: URLs become "&lt;url&gt;" so that the same failure at different orchestrators counts once.</summary>
    public static string Reason(RequestRecord r) =>
        string.IsNullOrEmpty(r.Error) ? r.Outcome : Url.Replace(r.Error, "<url>");

    public static GroupStats Of(string name, IReadOnlyList<RequestRecord> records, double seconds, int runTotal, Slo slo)
    {
        var ok = records.Where(r => r.IsOk).ToList();
        var fee = BigInteger.Zero;
        foreach (var r in records)
        {
            if (BigInteger.TryParse(r.FeeWei, out var f))
            {
                fee += f;
            }
        }

        var good = records.Count(slo.Meets);
        var tokens = ok.Sum(r => (long)(r.Tokens ?? 0));
        var attempts = records.Where(r => r.Attempts is not null).Select(r => (double)r.Attempts!.Value).ToList();
        var reasons = records.Where(r => !r.IsOk)
            .GroupBy(r => Reason(r))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        return new GroupStats
        {
            Name = name,
            Count = records.Count,
            Ok = ok.Count,
            Failed = records.Count - ok.Count,
            Timeouts = records.Count(r => r.Outcome == Outcomes.Timeout),
            FailureReasons = reasons,
            Rps = seconds > 0 ? records.Count / seconds : double.NaN,
            OkRps = seconds > 0 ? ok.Count / seconds : double.NaN,
            Latency = Distribution.Of(ok.Select(r => r.LatencyMs)),
            ServiceTime = Distribution.Of(ok.Select(r => r.ServiceMs)),
            Ttft = Distribution.Of(ok.Where(r => r.TtftMs is not null).Select(r => r.TtftMs!.Value)),
            Itl = Distribution.Of(ok.SelectMany(r => r.ItlMs)),
            Tpot = Distribution.Of(ok.Where(r => r.TpotMs is not null).Select(r => r.TpotMs!.Value)),
            OutputTokens = tokens,
            OutputTokensPerSecond = seconds > 0 ? tokens / seconds : double.NaN,
            Good = good,
            GoodputRps = seconds > 0 ? good / seconds : double.NaN,
            Share = runTotal > 0 ? (double)records.Count / runTotal : double.NaN,
            TotalFeeWei = fee.ToString(),
            CostPerJobWei = records.Count > 0 ? (double)fee / records.Count : double.NaN,
            CostPerOkJobWei = ok.Count > 0 ? (double)fee / ok.Count : double.NaN,
            MeanAttempts = attempts.Count > 0 ? attempts.Average() : double.NaN,
        };
    }
}
