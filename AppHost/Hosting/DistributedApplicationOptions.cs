using System.Reflection;

namespace LivepeerAspire.AppHost.Hosting;

public sealed class DistributedApplicationOptions
{
    /// <summary>The repository root (the folder holding LivepeerAspire.sln); found by walking up when null.</summary>
    public string? RepositoryRoot { get; set; }

    /// <summary>Build configuration whose outputs are launched; defaults to the AppHost's own.</summary>
    public string Configuration { get; set; } = BuildConfiguration;

    /// <summary>Dashboard port on 127.0.0.1: 18888 by default, 0 for any free port, null for no dashboard.</summary>
    public int? DashboardPort { get; set; } = 18888;

    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a running instance is probed.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a starting instance is probed.</summary>
    public TimeSpan StartupProbeInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A starting instance that is not healthy after this long is shown as unhealthy.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Where start-up progress, URLs and failures are written.</summary>
    public TextWriter Output { get; set; } = Console.Out;

    /// <summary>Copy every child's console output to <see cref="Output"/> as well.</summary>
    public bool EchoChildOutput { get; set; }

    public static string BuildConfiguration =>
        typeof(DistributedApplicationOptions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string FindRepositoryRoot(string? start = null)
    {
        foreach (var origin in new[] { start, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = origin is null ? null : new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LivepeerAspire.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("Could not find LivepeerAspire.sln above the AppHost or the current directory.");
    }
}
