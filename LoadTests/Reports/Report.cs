using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>Where and how a report's runs were made: the header of every report.</summary>
public sealed record ReportHeader
{
    public required string Title { get; init; }
    public required string Command { get; init; }
    public DateTimeOffset StartedUtc { get; init; }
    public string Gateway { get; init; } = "";
    public string Topology { get; init; } = "";

    /// <summary>Simulator time scale (1 = real time); scaled latencies ÷ time scale = real-world latencies.</summary>
    public double? TimeScale { get; init; }

    public int Seed { get; init; }

    /// <summary>Every seed when the experiment ran several arrival sequences (<c>--seeds</c>); absent for one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? Seeds { get; init; }

    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Machine { get; init; } = new Dictionary<string, string>();
}

/// <summary>An extra table an experiment adds (e.g. failover: wasted GPU seconds per timeout setting).</summary>
public sealed record ReportSection(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string Note = "");

/// <summary>A report: header, runs, experiment tables and conclusions. summary.json is this object.</summary>
public sealed record Report
{
    public const int SchemaVersion = 1;

    public int Schema { get; init; } = SchemaVersion;
    public required ReportHeader Header { get; init; }
    public required IReadOnlyList<RunSummary> Runs { get; init; }
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];
    public IReadOnlyList<string> Conclusions { get; init; } = [];
}
