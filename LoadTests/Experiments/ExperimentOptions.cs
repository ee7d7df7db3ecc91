using System.CommandLine;
using System.Globalization;
using LivepeerAspire.LoadTests.Jobs;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>Options every experiment has: where the network comes from, and the shape of each run.</summary>
public sealed class ExperimentOptions
{
    public CommonOptions Common { get; } = new();
    public Option<string?> Topology { get; } = new("--topology") { Description = "topology file; the experiment starts its own network from it through the AppHost (unless --gateway is given)" };
    public Option<string> StartupTimeout { get; } = new("--startup-timeout") { Description = "how long the network may take to be healthy", DefaultValueFactory = _ => "180s" };
    public Option<string?> Simulator { get; } = new("--simulator") { Description = "simulator admin base URL (faults, GPU counters) of a network given with --gateway" };
    public Option<string> Duration { get; } = new("--duration") { Description = "measured phase of each run (scaled time)", DefaultValueFactory = _ => "40s" };
    public Option<string> WarmUp { get; } = new("--warm-up") { Description = "warm-up of each run, excluded from stats", DefaultValueFactory = _ => "10s" };
    public Option<string?> Scenario { get; } = new("--scenario") { Description = "scenario (default: the topology's most-served pipeline)" };
    public Option<double?> TimeScale { get; } = new("--time-scale") { Description = "time scale, when the topology does not give one" };
    public Option<double?> Capacity { get; } = new("--capacity") { Description = "fleet capacity in jobs/s (default: computed from the topology's GPUs and published service times)" };
    public Option<string> Pause { get; } = new("--pause") { Description = "pause between runs so queues drain", DefaultValueFactory = _ => "3s" };

    public void AddTo(Command command)
    {
        Common.AddTo(command);
        foreach (var o in new Option[] { Topology, StartupTimeout, Simulator, Duration, WarmUp, Scenario, TimeScale, Capacity, Pause })
        {
            command.Add(o);
        }
    }

    public static IReadOnlyList<string> List(string? text, string option, IReadOnlyList<string> fallback)
    {
        var items = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (text is not null && items.Length == 0)
        {
            throw new UsageException($"bad {option} '{text}': give a comma-separated list");
        }

        return items.Length > 0 ? items : fallback;
    }

    public static IReadOnlyList<double> Fractions(string? text, string option, IReadOnlyList<double> fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        var result = new List<double>();
        foreach (var item in List(text, option, []))
        {
            var t = item.TrimEnd('%');
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v <= 0)
            {
                throw new UsageException($"bad {option} value '{item}': use fractions of fleet capacity such as 0.3,0.6,0.9 or 30%,60%,90%");
            }

            result.Add(item.EndsWith('%') || v > 2 ? v / 100 : v);
        }

        return result;
    }

    /// <summary>
    /// Seeds of several arrival sequences, e.g. <c>42,7,11</c>: integers, each once. Empty items, non-integers and
    /// repeats are refused (a repeated seed would count the same sequence twice in pooled figures).
    /// </summary>
    public static IReadOnlyList<int> Seeds(string text, string option)
    {
        const string Hint = "give distinct comma-separated integers such as 42,7,11";
        var result = new List<int>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0)
            {
                throw new UsageException($"bad {option} '{text}': empty value; {Hint}");
            }

            if (!int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
            {
                throw new UsageException($"bad {option} '{text}': '{item}' is not an integer; {Hint}");
            }

            if (result.Contains(seed))
            {
                throw new UsageException($"bad {option} '{text}': seed {seed} is given twice; {Hint}");
            }

            result.Add(seed);
        }

        return result;
    }

    /// <summary>The scenario to run: <c>--scenario</c>, else one job kind for the pipeline most GPUs serve.</summary>
    public Scenario ResolveScenario(ParseResult p, TopologyInfo? topology, string fallback)
    {
        var name = p.GetValue(Scenario);
        if (name is null && topology is { Gpus.Count: > 0 })
        {
            var pipeline = topology.Gpus.GroupBy(g => g.Pipeline).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            name = pipeline == "llm" ? "llm-stream" : pipeline;
        }

        name ??= fallback;
        if (!ScenarioCatalog.TryResolve(name, out var scenario, out var error))
        {
            // A pipeline without a built-in scenario still works as a one-kind mix.
            if (!ScenarioCatalog.TryResolve(name + "=1", out scenario, out _))
            {
                throw new UsageException(error);
            }
        }

        return scenario!;
    }
}
