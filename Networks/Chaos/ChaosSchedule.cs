using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Protocol.Configuration;

namespace LivepeerAspire.Networks.Chaos;

/// <summary>
/// One fault of a chaos run: <see cref="Kind"/> on <see cref="Orchestrator"/> (or one of its GPUs) from <see cref="At"/>
/// for <see cref="For"/>, both in run time (wall clock from the start of the run). For <c>kill</c>, <see cref="For"/> is
/// how long the process stays dead before the AppHost starts it again.
/// </summary>
public sealed record ChaosFault(int Index, TimeSpan At, TimeSpan For, string Kind, string Orchestrator, string? Gpu = null)
{
    public TimeSpan End => At + For;

    /// <summary>Faults on the orchestrator process (signals from outside) rather than on its simulated GPUs.</summary>
    public bool OnProcess => Kind is ChaosKinds.Kill or ChaosKinds.Freeze;

    public string Target => Gpu ?? Orchestrator;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"#{Index} {Kind} {Target} at {At.TotalSeconds:0.0} s for {For.TotalSeconds:0.0} s");
}

public static class ChaosKinds
{
    /// <summary>SIGKILL from outside, then a restart through the AppHost (<c>resource-start</c>) after the fault's duration.</summary>
    public const string Kill = "kill";

    /// <summary>SIGSTOP, then SIGCONT after the fault's duration.</summary>
    public const string Freeze = "freeze";

    public const string Hang = "hang";
    public const string Slow = "slow";
    public const string Errors = "errors";

    /// <summary>A streamed LLM answer stops after a few tokens (LLM GPUs only).</summary>
    public const string Stall = "stall";

    public static IReadOnlyList<string> All { get; } = [Kill, Freeze, Hang, Slow, Errors, Stall];

    /// <summary>The simulator's fault body for a GPU fault kind (docs/simulator.md, "Admin API and faults").</summary>
    public static object SimulatorBody(string kind) => kind switch
    {
        Hang => new { kind = "hang" },
        Slow => new { kind = "slow", factor = 10 },
        Errors => new { kind = "errors", rate = 0.5 },
        Stall => new { kind = "stall", afterTokens = 3 },
        _ => throw new ArgumentException($"{kind} is not a GPU fault", nameof(kind)),
    };
}

/// <summary>A GPU a chaos fault can target: its simulator id and the pipeline it serves.</summary>
public sealed record ChaosGpu(string Id, string Pipeline);

/// <summary>A fault schedule that cannot be run; the message names the entry and what to fix.</summary>
public sealed class ChaosScheduleException(string message) : Exception(message);

/// <summary>
/// Seeded fault schedules for chaos runs, and schedule files. The same seed, targets and length give the same schedule.
/// Every fault on one orchestrator ends (and a killed one has had time to restart) before its next fault begins, so a
/// kill never meets a frozen process.
/// </summary>
public static class ChaosSchedule
{
    /// <summary>Room after a kill's downtime for the restarted process to become healthy before the next fault on it.</summary>
    public static readonly TimeSpan RestartAllowance = TimeSpan.FromSeconds(12);

    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Faults on each orchestrator as a Poisson process of <paramref name="meanGap"/> between starts (stretched where a
    /// fault has not ended yet), kinds drawn uniformly from those the orchestrator's GPUs allow, between
    /// <paramref name="from"/> and <paramref name="until"/> (a fault may not outlast it).
    /// </summary>
    public static IReadOnlyList<ChaosFault> Generate(
        int seed, IReadOnlyDictionary<string, IReadOnlyList<ChaosGpu>> targets, TimeSpan from, TimeSpan until, TimeSpan meanGap)
    {
        var random = new Random(seed);
        var faults = new List<(TimeSpan At, TimeSpan For, string Kind, string Orchestrator)>();
        foreach (var (orchestrator, gpus) in targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            // GPU faults need a simulated GPU behind the orchestrator; a stall needs an LLM one.
            var kinds = ChaosKinds.All.Where(k => k is ChaosKinds.Kill or ChaosKinds.Freeze
                || (gpus.Count > 0 && (k != ChaosKinds.Stall || gpus.Any(g => g.Pipeline == "llm")))).ToList();
            var next = from + Exponential(random, meanGap);
            while (true)
            {
                var kind = kinds[random.Next(kinds.Count)];
                var length = kind switch
                {
                    ChaosKinds.Kill => Seconds(random, 1, 4),
                    ChaosKinds.Freeze => Seconds(random, 2, 10), // either side of the gateway's 6 s attempt timeout
                    _ => Seconds(random, 3, 12),
                };
                if (next + length > until)
                {
                    break;
                }

                faults.Add((next, length, kind, orchestrator));
                var busyUntil = next + length + (kind == ChaosKinds.Kill ? RestartAllowance : Gap);
                var gap = Exponential(random, meanGap);
                next = next + gap > busyUntil ? next + gap : busyUntil;
            }
        }

        return faults.OrderBy(f => f.At).ThenBy(f => f.Orchestrator, StringComparer.Ordinal)
            .Select((f, i) => new ChaosFault(i + 1, f.At, f.For, f.Kind, f.Orchestrator)).ToList();
    }

    /// <summary>
    /// Reads a schedule file (<c>{"faults":[{"at":"12s","for":"5s","kind":"kill","orchestrator":"o1","gpu":"o1-gpu0"}]}</c>,
    /// times as Go durations or seconds) and checks it against the network's targets before anything runs.
    /// </summary>
    public static IReadOnlyList<ChaosFault> Load(string file, IReadOnlyDictionary<string, IReadOnlyList<ChaosGpu>> targets)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ChaosScheduleException($"fault schedule {file} cannot be read: {e.Message}");
        }

        if ((root as JsonObject)?["faults"] is not JsonArray entries)
        {
            throw new ChaosScheduleException($"fault schedule {file}: expected {{\"faults\":[{{\"at\":\"12s\",\"for\":\"5s\",\"kind\":\"kill\",\"orchestrator\":\"…\"}}]}}");
        }

        var faults = new List<ChaosFault>();
        for (var i = 0; i < entries.Count; i++)
        {
            var index = i + 1;
            string Where(string? kind) => $"fault schedule {file}, entry {index}{(kind is null ? "" : $" ({kind})")}";
            if (entries[i] is not JsonObject entry)
            {
                throw new ChaosScheduleException($"{Where(null)}: expected an object with at, for, kind and orchestrator");
            }

            var kind = Text(entry, "kind");
            if (kind is null || !ChaosKinds.All.Contains(kind))
            {
                throw new ChaosScheduleException($"{Where(kind)}: unknown kind '{kind}'; known: {string.Join(", ", ChaosKinds.All)}");
            }

            foreach (var name in entry.Select(p => p.Key).Where(k => k is not ("at" or "for" or "kind" or "orchestrator" or "gpu")))
            {
                throw new ChaosScheduleException($"{Where(kind)}: unknown member '{name}'; an entry has at, for, kind, orchestrator and optionally gpu");
            }

            var at = Time(entry, "at", Where(kind));
            var length = Time(entry, "for", Where(kind));
            var orchestrator = Text(entry, "orchestrator");
            if (orchestrator is null || !targets.TryGetValue(orchestrator, out var gpus))
            {
                throw new ChaosScheduleException($"{Where(kind)}: unknown target orchestrator '{orchestrator}'; the topology has {string.Join(", ", targets.Keys.Order(StringComparer.Ordinal))}");
            }

            var gpu = Text(entry, "gpu");
            if (gpu is not null)
            {
                if (kind is ChaosKinds.Kill or ChaosKinds.Freeze)
                {
                    throw new ChaosScheduleException($"{Where(kind)}: a {kind} acts on the orchestrator process; leave out gpu '{gpu}'");
                }

                if (gpus.All(g => g.Id != gpu))
                {
                    throw new ChaosScheduleException($"{Where(kind)}: unknown target GPU '{gpu}'; {orchestrator} has {string.Join(", ", gpus.Select(g => g.Id))}");
                }
            }

            if (kind is not (ChaosKinds.Kill or ChaosKinds.Freeze) && gpus.Count == 0)
            {
                throw new ChaosScheduleException($"{Where(kind)}: {orchestrator} has no simulated GPU to {kind}; only kill and freeze act on it");
            }

            if (kind == ChaosKinds.Stall && !gpus.Any(g => g.Pipeline == "llm" && (gpu is null || g.Id == gpu)))
            {
                throw new ChaosScheduleException($"{Where(kind)}: target {gpu ?? orchestrator} has no LLM GPU to stall");
            }

            faults.Add(new ChaosFault(index, at, length, kind, orchestrator, gpu));
        }

        foreach (var f in faults)
        {
            var clash = faults.FirstOrDefault(g => g.Index < f.Index && g.Orchestrator == f.Orchestrator && (g.OnProcess || f.OnProcess)
                && g.At < f.End + (f.Kind == ChaosKinds.Kill ? RestartAllowance : TimeSpan.Zero)
                && f.At < g.End + (g.Kind == ChaosKinds.Kill ? RestartAllowance : TimeSpan.Zero));
            if (clash is not null)
            {
                throw new ChaosScheduleException(
                    $"fault schedule {file}, entry {f.Index} ({f.Kind}): overlaps entry {clash.Index} ({clash.Kind}) on {f.Orchestrator}; " +
                    $"a kill or freeze needs the orchestrator to itself, and a killed one {RestartAllowance.TotalSeconds:0} s to restart");
            }
        }

        return faults.OrderBy(f => f.At).ThenBy(f => f.Index).ToList();
    }

    /// <summary>Writes a schedule in the file format <see cref="Load"/> reads, so a run can be repeated from its report.</summary>
    public static void Write(string file, IEnumerable<ChaosFault> faults)
    {
        var array = new JsonArray();
        foreach (var f in faults)
        {
            var entry = new JsonObject
            {
                ["at"] = GoDuration.Format(f.At),
                ["for"] = GoDuration.Format(f.For),
                ["kind"] = f.Kind,
                ["orchestrator"] = f.Orchestrator,
            };
            if (f.Gpu is not null)
            {
                entry["gpu"] = f.Gpu;
            }

            array.Add(entry);
        }

        File.WriteAllText(file, new JsonObject { ["faults"] = array }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string? Text(JsonObject entry, string name) => entry[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static TimeSpan Time(JsonObject entry, string name, string where)
    {
        var node = entry[name];
        TimeSpan value;
        if (node is JsonValue v && v.TryGetValue<double>(out var seconds) && double.IsFinite(seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
        }
        else if (node is JsonValue s && s.TryGetValue<string>(out var text) && TryDuration(text, out var parsed))
        {
            value = parsed;
        }
        else
        {
            throw new ChaosScheduleException($"{where}: '{name}' must be a duration such as 12s, 1m30s or a number of seconds (got {node?.ToJsonString() ?? "nothing"})");
        }

        return value < TimeSpan.Zero
            ? throw new ChaosScheduleException($"{where}: negative time '{name}' = {node!.ToJsonString()}; times count from the start of the run")
            : value;
    }

    private static bool TryDuration(string text, out TimeSpan value)
    {
        var negative = text.TrimStart().StartsWith('-');
        if (GoDuration.TryParse(negative ? text.TrimStart()[1..] : text, out value))
        {
            value = negative ? -value : value;
            return true;
        }

        return false;
    }

    private static TimeSpan Exponential(Random random, TimeSpan mean) => mean * -Math.Log(1 - random.NextDouble());

    private static TimeSpan Seconds(Random random, double min, double max) => TimeSpan.FromSeconds(Math.Round(min + ((max - min) * random.NextDouble()), 1));
}
