namespace LivepeerAspire.Runner.Simulated;

/// <summary>Configuration section <c>Simulator</c>.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>Path of the fleet JSON file; absent: the built-in Fleet/default-fleet.json.</summary>
    public string? FleetFile { get; set; }

    /// <summary>Overrides the fleet file's timeScale (1 = real time, 0.01 = 100× faster).</summary>
    public double? TimeScale { get; set; }

    /// <summary>Overrides the fleet file's seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Path of the GPU profile file; absent: the built-in Profiles/gpu-profiles.json.</summary>
    public string? ProfilesFile { get; set; }

    /// <summary>When set, changing faults (POST/DELETE /admin/gpus/{id}/faults) needs <c>Authorization: Bearer &lt;token&gt;</c>; the AppHost sets it for networks with gateway access control.</summary>
    public string? AdminToken { get; set; }

    public static string DefaultProfilesPath => Path.Combine(AppContext.BaseDirectory, "Profiles", "gpu-profiles.json");

    public static string DefaultFleetPath => Path.Combine(AppContext.BaseDirectory, "Fleet", "default-fleet.json");
}
