using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Readme;

/// <summary>
/// The README's <c>dotnet run --project LoadTests -- run …</c> command against the default network, as a reader runs it
/// (a separate process), with the measured phase cut to 20 s for CI, for the README's scenario and for the mixed one.
/// The runner exits non-zero when more than 5 % of the measured requests fail (its default --max-failure-rate).
/// </summary>
[Collection(DefaultNetwork.Name)]
public sealed partial class ReadmeLoadTestCommandsTests(DefaultNetworkFixture network)
{
    private const string ReadmeGateway = "http://127.0.0.1:9935";

    public static TheoryData<string> Commands()
    {
        var readme = File.ReadAllLines(Path.Combine(TopologyNetworkFixture.FindRepositoryRoot(), "README.md"));
        var runLines = readme.Where(l => l.StartsWith("dotnet run --project LoadTests -- run ", StringComparison.Ordinal)).ToList();
        runLines.ShouldNotBeEmpty("the README shows a load-test run command");
        var data = new TheoryData<string>();
        foreach (var line in runLines)
        {
            data.Add(line);
            data.Add(Scenario().Replace(line, "--scenario mixed"));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_readme_load_test_succeeds_for_at_least_95_percent_of_requests(string command)
    {
        command.ShouldContain(ReadmeGateway);
        var root = TopologyNetworkFixture.FindRepositoryRoot();
        var report = Directory.CreateTempSubdirectory("readme-load-").FullName;
        var args = Duration().Replace(command, "--duration 20s")
            .Replace(ReadmeGateway, network.GatewayUrl, StringComparison.Ordinal)
            .Replace("dotnet run --project LoadTests -- ", "", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["run", "--project", "LoadTests", "--no-build", "--", .. args, "--out", report, "--no-progress"])
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            var log = $"{await output}\n{await errors}";
            process.ExitCode.ShouldBe(0, log[^Math.Min(2000, log.Length)..]);
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(report, "summary.json")));
            var overall = summary.RootElement.GetProperty("runs")[0].GetProperty("overall");
            var count = overall.GetProperty("count").GetInt32();
            var ok = overall.GetProperty("ok").GetInt32();
            count.ShouldBeGreaterThan(50, "5 requests a second for 20 s");
            ((double)ok / count).ShouldBeGreaterThanOrEqualTo(0.95, log[^Math.Min(2000, log.Length)..]);
        }
        finally
        {
            Directory.Delete(report, recursive: true);
        }
    }

    [GeneratedRegex(@"--scenario \S+")]
    private static partial Regex Scenario();

    [GeneratedRegex(@"--duration \S+")]
    private static partial Regex Duration();
}
