namespace LivepeerAspire.AppHost.Tests.Support;

internal static class TestApps
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration these tests were built in; the AppHost and services were built alongside in the same one.</summary>
    public static string BuildConfiguration =>
        typeof(TestApps).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    public static bool ProcessIsGone(int pid)
    {
        // A zombie still has /proc/<pid>; its state letter is Z.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return true;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is "Z" or "X";
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Every process an AppHost started: DCP detaches from it but names it with <c>--monitor PID</c>, and DCP in turn
    /// starts the dashboard and the resources; so the AppHost's children, the processes monitoring it, and all of their
    /// descendants.
    /// </summary>
    public static IReadOnlyList<int> ProcessesOf(int appHostPid)
    {
        var parents = new Dictionary<int, int>();
        var commandLines = new Dictionary<int, string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                commandLines[pid] = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
            }
        }

        var found = new HashSet<int> { appHostPid };
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (pid, parent) in parents)
            {
                var monitors = commandLines.TryGetValue(pid, out var cmd) && found.Any(f => cmd.Contains($"--monitor {f} ", StringComparison.Ordinal) || cmd.EndsWith($"--monitor {f}", StringComparison.Ordinal));
                if (!found.Contains(pid) && (found.Contains(parent) || monitors))
                {
                    found.Add(pid);
                    changed = true;
                }
            }
        }

        found.Remove(appHostPid);
        return [.. found];
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LivepeerAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LivepeerAspire.sln not found above " + AppContext.BaseDirectory);
    }
}
