using System.Diagnostics;
using System.Text.Json;

namespace LivepeerAspire.Tests.Shared;

/// <summary>Runs one of the tests/js client scripts with node (after the set-up's <c>npm ci</c>) and parses the JSON line it prints last.</summary>
internal static class NodeScript
{
    public static string JsDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LivepeerAspire.sln")))
            {
                dir = dir.Parent;
            }

            return dir is null
                ? throw new InvalidOperationException("LivepeerAspire.sln not found above " + AppContext.BaseDirectory)
                : Path.Combine(dir.FullName, "tests", "js");
        }
    }

    public static async Task<JsonElement> RunAsync(string script, params string[] args)
    {
        var directory = JsDirectory;
        Directory.Exists(Path.Combine(directory, "node_modules"))
            .ShouldBeTrue("run `npm ci` in tests/js (eng/test-prerequisites.sh, which the test build runs, does) before the tests");
        var start = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            process.ExitCode.ShouldBe(0, $"node {script} failed: {await stderr}");
            var lastLine = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            return JsonDocument.Parse(lastLine).RootElement.Clone();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
