using System.Diagnostics;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Infrastructure;

namespace LivepeerAspire.Network.Tests.Support;

/// <summary>Runs one of the tests/js client scripts with node and parses the JSON line it prints.</summary>
public static class NodeScript
{
    public static async Task<JsonElement> RunAsync(string script, params string[] args)
    {
        var directory = Path.Combine(NetworkFixture.RepositoryRoot, "tests", "js");
        Directory.Exists(Path.Combine(directory, "node_modules")).ShouldBeTrue("run `npm ci` in tests/js (.ci/run does) before the tests");
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
