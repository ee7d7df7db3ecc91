namespace LivepeerAspire.LoadTests.Stats;

/// <summary>
/// Summary of a sample. Percentiles use the nearest-rank definition: the p-th percentile is the smallest
/// sample x such that at least p % of the samples are ≤ x, i.e. sorted[ceil(p/100 · n) − 1]; it is always an
/// observed value. StdDev is the sample standard deviation (n − 1 denominator; 0 for a single sample).
/// </summary>
public sealed record Distribution(
    int Count,
    double Min,
    double Mean,
    double Max,
    double StdDev,
    double P50,
    double P75,
    double P90,
    double P95,
    double P99,
    double P999)
{
    public static Distribution Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        Array.Sort(sorted);
        var n = sorted.Length;
        var mean = sorted.Average();
        var ss = 0.0;
        foreach (var v in sorted)
        {
            ss += (v - mean) * (v - mean);
        }

        var sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
        return new Distribution(
            n, sorted[0], mean, sorted[^1], sd,
            NearestRank(sorted, 50), NearestRank(sorted, 75), NearestRank(sorted, 90),
            NearestRank(sorted, 95), NearestRank(sorted, 99), NearestRank(sorted, 99.9));
    }

    /// <summary>Nearest-rank percentile of an ascending array (see the type's remarks).</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        // Round before ceiling so that e.g. 0.999 · 1000 = 998.9999… lands on rank 999, not 1000.
        var rank = (int)Math.Ceiling(Math.Round(percent / 100.0 * sorted.Count, 9));
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
