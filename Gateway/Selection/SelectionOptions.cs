using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>Configuration section <c>Selection</c>. go-livepeer flags in brackets.</summary>
public sealed class SelectionOptions
{
    public const string Section = "Selection";

    /// <summary><c>round-robin</c>, <c>stake-price-latency</c> or <c>adaptive</c>; switchable with PUT /admin/selection.</summary>
    public string Strategy { get; set; } = RoundRobinStrategy.StrategyName;

    /// <summary>[-selectStakeWeight]</summary>
    public double StakeWeight { get; set; } = 0.7;

    /// <summary>[-selectPriceWeight]</summary>
    public double PriceWeight { get; set; }

    /// <summary>[-selectRandFreq] (go-livepeer's config field is SelectRandWeight).</summary>
    public double RandWeight { get; set; } = 0.3;

    /// <summary>[-selectPriceExpFactor]</summary>
    public double PriceExpFactor { get; set; } = 100;

    /// <summary>[-minPerfScore]; scores come from <see cref="PerfScores"/> (stands in for -orchPerfStatsUrl).</summary>
    public double MinPerfScore { get; set; }

    /// <summary>Orchestrator service URI or address → performance score (0..1).</summary>
    public Dictionary<string, double> PerfScores { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Orchestrator service URI or ETH address → bonded stake in LPT (off-chain there is no bonding manager to ask).</summary>
    public Dictionary<string, decimal> Stakes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The same by URL in one string, since a URL cannot be a configuration key (its colons split sections):
    /// <c>http://127.0.0.1:8935=5000,http://127.0.0.1:8936=3000</c> (env <c>Selection__StakeList</c>).
    /// </summary>
    public string StakeList { get; set; } = "";

    /// <summary><see cref="StakeList"/> parsed: canonical URL → stake; null entries are malformed.</summary>
    public IReadOnlyList<(string Url, decimal? Stake, string Raw)> ParsedStakeList() =>
        StakeList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry =>
            {
                var eq = entry.LastIndexOf('=');
                var ok = eq > 0 && decimal.TryParse(entry[(eq + 1)..], System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var stake) && stake >= 0;
                return (eq > 0 ? Discovery.OrchestratorKey.Of(entry[..eq].Trim()) : entry, ok ? decimal.Parse(entry[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture) : (decimal?)null, entry);
            })
            .ToList();

    /// <summary>[-maxPricePerUnit] as go-livepeer writes it: wei (<c>1000</c>) or with a currency (<c>0.5USD</c>, <c>1e-6eth</c>); "0" accepts any price.</summary>
    public string MaxPricePerUnit { get; set; } = "0";

    /// <summary>[-pixelsPerUnit] divides <see cref="MaxPricePerUnit"/>.</summary>
    public long PixelsPerUnit { get; set; } = 1;

    /// <summary>[-maxPricePerCapability] entries, bound one by one (<c>Selection:MaxPricePerCapability:0:Pipeline</c>, …).</summary>
    public List<CapabilityMaxPrice> MaxPricePerCapability { get; set; } = [];

    /// <summary>
    /// [-maxPricePerCapability] as go-livepeer takes it: <c>{"capabilities_prices":[{"pipeline","model_id","price_per_unit",
    /// "pixels_per_unit","currency"}]}</c> inline, or the path of a file holding it. Its entries follow
    /// <see cref="MaxPricePerCapability"/>'s.
    /// </summary>
    public string MaxPricePerCapabilityJson { get; set; } = "";

    /// <summary>Both forms of [-maxPricePerCapability], in order; throws <see cref="FormatException"/> on a JSON value that cannot be read.</summary>
    public IReadOnlyList<CapabilityMaxPrice> CapabilityMaxPrices() =>
        [.. MaxPricePerCapability, .. CapabilityPricesJson.Parse(MaxPricePerCapabilityJson)];

    /// <summary>[-ignoreMaxPriceIfNeeded]</summary>
    public bool IgnoreMaxPriceIfNeeded { get; set; }

    /// <summary>Seed of the selection random source; 0 = seeded from the clock.</summary>
    public int Seed { get; set; }

    public AdaptiveOptions Adaptive { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (!StrategyNames.All.Contains(Strategy))
        {
            yield return $"Selection:Strategy '{Strategy}' is unknown; use one of {string.Join(", ", StrategyNames.All)}";
        }

        foreach (var (name, value) in new[] { ("StakeWeight", StakeWeight), ("PriceWeight", PriceWeight), ("RandWeight", RandWeight) })
        {
            if (value < 0 || value > 1 || double.IsNaN(value))
            {
                yield return $"Selection:{name} must be between 0 and 1 (got {value})";
            }
        }

        var sum = StakeWeight + PriceWeight + RandWeight;
        if (Math.Abs(sum - 1.0) > 0.0001)
        {
            yield return $"Selection:StakeWeight + PriceWeight + RandWeight must sum to 1 (got {StakeWeight} + {PriceWeight} + {RandWeight} = {sum})";
        }

        foreach (var (_, stake, raw) in ParsedStakeList().Where(e => e.Stake is null))
        {
            yield return $"Selection:StakeList entry '{raw}' is not <url>=<non-negative LPT>";
        }

        if (Stakes.Values.Any(v => v < 0))
        {
            yield return "Selection:Stakes must not be negative";
        }

        if (PriceExpFactor <= 0)
        {
            yield return $"Selection:PriceExpFactor must be positive (got {PriceExpFactor})";
        }

        if (PixelsPerUnit <= 0)
        {
            yield return $"Selection:PixelsPerUnit must be positive (got {PixelsPerUnit})";
        }

        if (!ConfiguredPrice.TryParse(MaxPricePerUnit, out _))
        {
            yield return $"Selection:MaxPricePerUnit '{MaxPricePerUnit}' cannot be read; use {ConfiguredPrice.AcceptedForms}";
        }

        IReadOnlyList<CapabilityMaxPrice> entries;
        string? jsonError = null;
        try
        {
            entries = CapabilityMaxPrices();
        }
        catch (FormatException e)
        {
            entries = MaxPricePerCapability;
            jsonError = $"Selection:MaxPricePerCapabilityJson {e.Message}";
        }

        if (jsonError is not null)
        {
            yield return jsonError;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var key = i < MaxPricePerCapability.Count ? $"Selection:MaxPricePerCapability:{i}" : $"Selection:MaxPricePerCapabilityJson entry {i - MaxPricePerCapability.Count}";
            if (!PipelineCatalog.TryGet(entry.Pipeline, out _))
            {
                yield return $"{key}:Pipeline '{entry.Pipeline}' is not a known pipeline";
            }

            if (!entry.TryGetPrice(out _))
            {
                yield return $"{key}:PricePerUnit '{entry.PricePerUnit}'{(entry.Currency.Length > 0 ? $" (currency '{entry.Currency}')" : "")} cannot be read; use {ConfiguredPrice.AcceptedForms}";
            }

            if (entry.PixelsPerUnit < 0)
            {
                yield return $"{key}:PixelsPerUnit must not be negative";
            }
        }

        foreach (var error in Adaptive.Validate())
        {
            yield return error;
        }
    }
}

/// <summary>One entry of go-livepeer's maxPricePerCapability <c>capabilities_prices</c> list.</summary>
public sealed class CapabilityMaxPrice
{
    public string Pipeline { get; set; } = "";

    /// <summary>Missing means "default" (applies to every model of the pipeline).</summary>
    public string ModelId { get; set; } = "default";

    /// <summary>A number of wei, or with a currency suffix as <see cref="SelectionOptions.MaxPricePerUnit"/> takes it.</summary>
    public string PricePerUnit { get; set; } = "0";

    /// <summary>go-livepeer's <c>currency</c> member: wei (the default), eth or USD; applies when the price has no suffix.</summary>
    public string Currency { get; set; } = "";

    public bool TryGetPrice(out ConfiguredPrice price)
    {
        var text = PricePerUnit.Trim();
        return ConfiguredPrice.TryParse(
            Currency.Length > 0 && BigRational.TryParse(text, out _) ? text + Currency.Trim() : text,
            out price);
    }

    /// <summary>0 means the global <see cref="SelectionOptions.PixelsPerUnit"/>.</summary>
    public long PixelsPerUnit { get; set; }
}

/// <summary>Configuration of the adaptive strategy (ours; no go-livepeer equivalent).</summary>
public sealed class AdaptiveOptions
{
    /// <summary>Weight of the newest sample in the seconds-per-unit EWMA.</summary>
    public double EwmaAlpha { get; set; } = 0.3;

    /// <summary>How many jobs an orchestrator with no measurement gets before only its measured speed counts.</summary>
    public int ExplorationJobs { get; set; } = 2;

    /// <summary><c>rank</c> (lowest expected completion time) or <c>power-of-two</c> (two candidates sampled by speed).</summary>
    public string Mode { get; set; } = "rank";

    /// <summary>An orchestrator not measured for this long gets one job to measure it again (0 = never).</summary>
    public TimeSpan ReprobeAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Average price to stay within, as a multiple of the candidates' mean advertised price (1 = no more than an even
    /// spread such as round-robin pays on average; 0.9 = 10 % less; 0 = price is ignored).
    /// </summary>
    public double CostBudget { get; set; } = 1;

    /// <summary>
    /// With a cost budget, how much later than the soonest finish a cheaper candidate may finish, in multiples of the
    /// job's service time on the fastest candidate (0 = price only breaks ties).
    /// </summary>
    public double LatencySlack { get; set; } = 1.5;

    /// <summary>
    /// With a cost budget, the share of jobs (0 to below 1) that may go, while the budget is in debt, to a cheaper
    /// orchestrator beyond the latency slack that still meets the deadline, at most one job in every 1 / TailShare
    /// (spread evenly, never in a burst). Under a p95 latency objective this is the
    /// error budget: up to 5 % of jobs can be slow without moving p95, and spending part of it on a cheap GPU pays
    /// back what fast picks cost over the budget. 0 (the default) never slows a job down to save money.
    /// </summary>
    public double TailShare { get; set; }

    public IEnumerable<string> Validate()
    {
        if (EwmaAlpha is <= 0 or > 1)
        {
            yield return $"Selection:Adaptive:EwmaAlpha must be in (0, 1] (got {EwmaAlpha})";
        }

        if (ExplorationJobs < 0)
        {
            yield return $"Selection:Adaptive:ExplorationJobs must not be negative (got {ExplorationJobs})";
        }

        if (ReprobeAfter < TimeSpan.Zero)
        {
            yield return $"Selection:Adaptive:ReprobeAfter must not be negative (got {ReprobeAfter})";
        }

        if (Mode is not ("rank" or "power-of-two"))
        {
            yield return $"Selection:Adaptive:Mode '{Mode}' is unknown; use rank or power-of-two";
        }

        if (LatencySlack < 0 || !double.IsFinite(LatencySlack))
        {
            yield return $"Selection:Adaptive:LatencySlack must be a non-negative multiple of the fastest service time (got {LatencySlack})";
        }

        if (TailShare is < 0 or >= 1 || double.IsNaN(TailShare))
        {
            yield return $"Selection:Adaptive:TailShare must be a share of jobs from 0 to below 1, such as 0.03 (got {TailShare})";
        }

        if (CostBudget < 0 || !double.IsFinite(CostBudget))
        {
            yield return $"Selection:Adaptive:CostBudget must be 0 (ignore price) or a positive multiple of the mean price (got {CostBudget})";
        }
    }
}
