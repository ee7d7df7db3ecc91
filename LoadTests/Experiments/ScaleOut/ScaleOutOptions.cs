using System.Globalization;

namespace LivepeerAspire.LoadTests.Experiments.ScaleOut;

/// <summary>The scale-out experiment's own options, parsed and checked before any network starts.</summary>
public static class ScaleOutOptions
{
    public const int MaxReplicas = 16;

    public static readonly IReadOnlyList<string> AllArms = ["replicas", "speeds", "redis"];

    /// <summary>Gateway replica counts such as <c>1,2,4</c>: integers from 1 to <see cref="MaxReplicas"/>, each once.</summary>
    public static IReadOnlyList<int> Replicas(string text, string option)
    {
        var hint = $"give distinct comma-separated replica counts from 1 to {MaxReplicas}, such as 1,2,4";
        var result = new List<int>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw new UsageException($"bad {option} '{text}': '{item}' is not a whole number; {hint}");
            }

            if (n is < 1 or > MaxReplicas)
            {
                throw new UsageException($"bad {option} '{text}': {n} is outside 1..{MaxReplicas}; {hint}");
            }

            if (result.Contains(n))
            {
                throw new UsageException($"bad {option} '{text}': {n} is given twice; {hint}");
            }

            result.Add(n);
        }

        return result;
    }

    /// <summary>One replica count for an arm that needs shared state: 2 to <see cref="MaxReplicas"/>.</summary>
    public static int SharedReplicas(int n, string option) => n is >= 2 and <= MaxReplicas
        ? n
        : throw new UsageException($"bad {option} {n}: this arm shares state between replicas, so give 2 to {MaxReplicas}");

    /// <summary>Which arms to run: replicas (1 vs 2 vs 4), speeds (adaptive, shared vs per-replica speeds), redis (killed and restored).</summary>
    public static IReadOnlyList<string> Arms(string? text, string option)
    {
        var arms = ExperimentOptions.List(text, option, AllArms);
        foreach (var arm in arms.Where(a => !AllArms.Contains(a)))
        {
            throw new UsageException($"bad {option}: unknown arm '{arm}'; use any of {string.Join(", ", AllArms)}");
        }

        return arms.Distinct().ToList();
    }
}
