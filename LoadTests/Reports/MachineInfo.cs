using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>Versions and machine facts for a report header.</summary>
public static class MachineInfo
{
    public static IReadOnlyDictionary<string, string> Machine() => new Dictionary<string, string>
    {
        ["cores"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
        [".NET"] = RuntimeInformation.FrameworkDescription,
    };

    public static IReadOnlyDictionary<string, string> Versions()
    {
        var v = new Dictionary<string, string>
        {
            ["LoadTests"] = typeof(MachineInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        };
        if (GitCommit() is { } commit)
        {
            v["git commit"] = commit;
        }

        return v;
    }

    private static string? GitCommit()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            });
            if (p is null)
            {
                return null;
            }

            var output = p.StandardOutput.ReadToEnd().Trim();
            if (!p.WaitForExit(2000))
            {
                p.Kill();
                return null;
            }

            return p.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
