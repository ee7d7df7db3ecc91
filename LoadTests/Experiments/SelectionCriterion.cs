using System.Globalization;
using LivepeerAspire.LoadTests.Reports;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>Whether the candidate met the criterion (null: not decidable, e.g. it did not run) and why.</summary>
public sealed record CriterionVerdict(bool? Met, string Reason)
{
    /// <summary>The grid cell: "yes: …", "no: …" or "–".</summary>
    public string Text => Met switch
    {
        true => "yes: " + Reason,
        false => "no: " + Reason,
        null => "–",
    };
}

/// <summary>
/// What the selection experiment asks of adaptive at each load: a lower p95 than every other strategy AND a
/// cost per successful job no higher than every other strategy's. The verdict names the strategy that beat it
/// on each failed bound, and by how much (relative to that strategy's figure).
/// </summary>
public static class SelectionCriterion
{
    public const string Candidate = "adaptive";

    public static string Description =>
        $"{Candidate} has a lower p95 than every other strategy and a cost per successful job no higher than every other strategy's";

    /// <summary>The criterion needs the candidate and at least one strategy to compare it with.</summary>
    public static bool Applies(IReadOnlyList<string> strategies) => strategies.Contains(Candidate) && strategies.Count > 1;

    public static CriterionVerdict Judge(IReadOnlyList<StrategyStats> cells, string candidate = Candidate)
    {
        var mine = cells.FirstOrDefault(c => c.Strategy == candidate);
        var others = cells.Where(c => c.Strategy != candidate).ToList();
        if (mine is null || others.Count == 0)
        {
            return new CriterionVerdict(null, "");
        }

        if (mine.Stats.Ok == 0)
        {
            return new CriterionVerdict(false, $"no successful {candidate} requests");
        }

        // A strategy without successful requests has no p95 or cost; any figure of the candidate beats it.
        static double OrWorst(double v) => double.IsNaN(v) ? double.PositiveInfinity : v;
        var p95Rival = others.MinBy(c => OrWorst(c.Stats.Latency.P95))!;
        var costRival = others.MinBy(c => OrWorst(c.Stats.CostPerOkJobWei))!;
        var p95 = (mine.Stats.Latency.P95, OrWorst(p95Rival.Stats.Latency.P95), p95Rival.Strategy);
        var cost = (mine.Stats.CostPerOkJobWei, OrWorst(costRival.Stats.CostPerOkJobWei), costRival.Strategy);

        var failed = new List<string>();
        if (!(p95.Item1 < p95.Item2))
        {
            failed.Add(Compare("p95", p95));
        }

        if (cost.Item1 > cost.Item2)
        {
            failed.Add(Compare("cost", cost));
        }

        return failed.Count > 0
            ? new CriterionVerdict(false, string.Join("; ", failed))
            : new CriterionVerdict(true, $"{Compare("p95", p95)}, {Compare("cost", cost)}");
    }

    private static string Compare(string what, (double Value, double Rival, string Name) c)
    {
        if (double.IsPositiveInfinity(c.Rival))
        {
            return $"{what}: {c.Name} had no successful requests";
        }

        if (c.Value == c.Rival)
        {
            return $"{what} equal to {c.Name}";
        }

        if (c.Rival <= 0)
        {
            return $"{what} {Fmt.Num(c.Value)} vs {c.Name}'s {Fmt.Num(c.Rival)}";
        }

        return c.Value > c.Rival
            ? $"{what} {Percent((c.Value / c.Rival) - 1)} above {c.Name}"
            : $"{what} {Percent(1 - (c.Value / c.Rival))} below {c.Name}";
    }

    // Costs differ by fractions of a percent; one decimal would print them as "0 %".
    private static string Percent(double fraction) =>
        fraction < 0.001 ? (fraction * 100).ToString("0.###", CultureInfo.InvariantCulture) + " %" : Fmt.Pct(fraction);
}
