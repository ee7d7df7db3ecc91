using System.Globalization;

namespace LivepeerAspire.LoadTests.Experiments.Overhead;

/// <summary>
/// CPU time (user + system, from <c>/proc/&lt;pid&gt;/stat</c>) of the network's service processes that descend from
/// this process (DCP starts them for us), grouped by executable name: Gateway, Orchestrator, Runner.Simulated.
/// Linux only; elsewhere the snapshot is empty.
/// </summary>
public sealed record ProcessCpu(IReadOnlyDictionary<string, double> MsByService, IReadOnlyDictionary<string, int> ProcessesByService)
{
    public static readonly string[] Services = ["Gateway", "Orchestrator", "Runner.Simulated"];

    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static ProcessCpu Snapshot()
    {
        var ms = new Dictionary<string, double>(StringComparer.Ordinal);
        var count = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux())
        {
            return new ProcessCpu(ms, count);
        }

        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var roots = new HashSet<int> { Environment.ProcessId };
        var parents = new Dictionary<int, int>();
        var stats = new Dictionary<int, (string Name, double Ms)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var monitor = Array.IndexOf(args, "--monitor");
                if (monitor >= 0 && monitor + 1 < args.Length && args[monitor + 1] == self)
                {
                    roots.Add(pid); // DCP detaches from us but monitors us
                }

                var name = Path.GetFileName(args[0]);
                if (Services.Contains(name))
                {
                    var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                    stats[pid] = (name, ticks * 1000 / TicksPerSecond);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // the process ended while we read it
            }
        }

        foreach (var (pid, (name, cpu)) in stats)
        {
            if (DescendsFrom(pid, roots, parents))
            {
                ms[name] = ms.GetValueOrDefault(name) + cpu;
                count[name] = count.GetValueOrDefault(name) + 1;
            }
        }

        return new ProcessCpu(ms, count);
    }

    /// <summary>CPU ms spent per service between two snapshots (processes that exist in both).</summary>
    public static IReadOnlyDictionary<string, double> Between(ProcessCpu before, ProcessCpu after) =>
        after.MsByService.ToDictionary(kv => kv.Key, kv => kv.Value - before.MsByService.GetValueOrDefault(kv.Key), StringComparer.Ordinal);

    private static bool DescendsFrom(int pid, HashSet<int> roots, Dictionary<int, int> parents)
    {
        for (var i = 0; i < 64 && parents.TryGetValue(pid, out var parent); i++)
        {
            if (roots.Contains(parent))
            {
                return true;
            }

            pid = parent;
        }

        return false;
    }
}
