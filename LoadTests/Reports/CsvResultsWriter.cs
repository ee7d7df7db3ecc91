using System.Globalization;
using System.Text;
using LivepeerAspire.LoadTests.Running;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>results.csv: one row per request (warm-up included, marked by <c>phase</c>), RFC 4180 quoting.</summary>
public static class CsvResultsWriter
{
    public static readonly string[] Columns =
    [
        "run", "index", "job", "phase", "intended_ms", "sent_ms", "end_ms", "lag_ms", "latency_ms", "service_ms", "status", "outcome",
        "ttft_ms", "itl_mean_ms", "itl_max_ms", "chunks", "tokens", "tpot_ms", "orchestrator", "attempts", "fee_wei", "error", "itl_ms",
    ];

    public static string Render(IEnumerable<RequestRecord> records)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append('\n');
        foreach (var r in records)
        {
            string[] cells =
            [
                r.Run, I(r.Index), r.Job, r.Phase, N(r.IntendedMs), N(r.SentMs), N(r.EndMs), N(r.LagMs), N(r.LatencyMs), N(r.ServiceMs),
                r.Status == 0 ? "" : I(r.Status), r.Outcome, N(r.TtftMs), r.ItlMs.Count > 0 ? N(r.ItlMs.Average()) : "",
                r.ItlMs.Count > 0 ? N(r.ItlMs.Max()) : "", r.TtftMs is null ? "" : I(r.ItlMs.Count + 1), r.Tokens is { } t ? I(t) : "",
                N(r.TpotMs), r.Orchestrator, r.Attempts is { } a ? I(a) : "", r.FeeWei, r.Error, string.Join(';', r.ItlMs.Select(v => N(v))),
            ];
            sb.AppendJoin(',', cells.Select(Quote)).Append('\n');
        }

        return sb.ToString();
    }

    internal static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static string N(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("0.###", CultureInfo.InvariantCulture) : "";

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
