namespace LivepeerAspire.LoadTests.Experiments.Chaos;

/// <summary>Distribution-free 95 % intervals for the chaos report: Wilson for proportions, order statistics for quantiles.</summary>
public static class ChaosStats
{
    private const double Z = 1.959964;

    /// <summary>Wilson score interval of <paramref name="successes"/> out of <paramref name="n"/>.</summary>
    public static (double Low, double High) Wilson(long successes, long n)
    {
        if (n == 0)
        {
            return (double.NaN, double.NaN);
        }

        var p = (double)successes / n;
        var denominator = 1 + (Z * Z / n);
        var centre = (p + (Z * Z / (2 * n))) / denominator;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (Z * Z / (4.0 * n * n))) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// The nearest-rank quantile <paramref name="q"/> of <paramref name="values"/> with its 95 % interval: the order
    /// statistics at ranks n·q ∓ 1.96·√(n·q·(1−q)) (the binomial count of samples below the true quantile).
    /// </summary>
    public static (double Value, double Low, double High) Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        var n = sorted.Length;
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        double At(double rank) => sorted[Math.Clamp((int)Math.Ceiling(rank) - 1, 0, n - 1)];
        var spread = Z * Math.Sqrt(n * q * (1 - q));
        return (At(n * q), At((n * q) - spread), At((n * q) + spread + 1));
    }
}
