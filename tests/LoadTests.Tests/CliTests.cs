using System.Net;
using System.Net.Sockets;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await LoadTestCli.RunAsync(args, new CliContext { Args = args, Out = stdout, Error = stderr, ShowProgress = false });
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static int ClosedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("unknown scenario 'nope'", "run", "--gateway", "http://127.0.0.1:9", "--scenario", "nope", "--rate", "1")]
    [InlineData("unknown job kind 'video'", "run", "--gateway", "http://127.0.0.1:9", "--scenario", "video=1", "--rate", "1")]
    [InlineData("bad --rate -5", "run", "--gateway", "http://127.0.0.1:9", "--rate", "-5")]
    [InlineData("bad --rate 0", "run", "--gateway", "http://127.0.0.1:9", "--rate", "0")]
    [InlineData("missing --rate", "run", "--gateway", "http://127.0.0.1:9", "--load", "inject")]
    [InlineData("bad --duration 'soon'", "run", "--gateway", "http://127.0.0.1:9", "--rate", "1", "--duration", "soon")]
    [InlineData("bad --duration '-3s'", "run", "--gateway", "http://127.0.0.1:9", "--rate", "1", "--duration", "-3s")]
    [InlineData("bad --copies", "run", "--gateway", "http://127.0.0.1:9", "--load", "keep-constant")]
    [InlineData("unknown load simulation 'burst'", "run", "--gateway", "http://127.0.0.1:9", "--load", "burst", "--rate", "1")]
    [InlineData("only send traffic to loopback", "run", "--gateway", "http://10.1.2.3:9935", "--rate", "1")]
    [InlineData("missing --gateway", "run", "--rate", "1")]
    [InlineData("Cannot parse argument 'fast'", "run", "--gateway", "http://127.0.0.1:9", "--rate", "fast")]
    [InlineData("no summary.json at 'nowhere'", "compare", "nowhere", "nowhere-else")]
    public async Task Bad_input_exits_non_zero_with_one_clear_line(string message, params string[] args)
    {
        var (code, _, err) = await Run(args);

        code.ShouldBe(2);
        err.ShouldContain(message);
        err.TrimEnd().Split('\n').Length.ShouldBe(1);
        err.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Unreachable_gateway_exits_3_with_a_message()
    {
        var (code, _, err) = await Run("run", "--gateway", $"http://127.0.0.1:{ClosedPort()}", "--rate", "1", "--duration", "1s");

        code.ShouldBe(3);
        err.ShouldContain("is unreachable");
        err.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_against_a_gateway_writes_the_four_report_files()
    {
        await using var server = await FakeGateway.InstantAsync();
        var dir = Path.Combine(Path.GetTempPath(), "lt-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = await Run("run", "--gateway", server.Url.ToString(), "--scenario", "text-to-image", "--load", "inject", "--rate", "20",
                "--duration", "1s", "--warm-up", "200ms", "--out", dir, "--slo-ms", "1000");

            code.ShouldBe(0, err);
            output.ShouldContain("report: ");
            new[] { "report.md", "report.html", "results.csv", "summary.json" }.ShouldAllBe(f => File.Exists(Path.Combine(dir, f)));
            var csv = await File.ReadAllLinesAsync(Path.Combine(dir, "results.csv"));
            csv.Length.ShouldBe(1 + 24); // 20/s over 1.2 s
            csv.Skip(1).ShouldAllBe(l => l.Contains(",ok,"));
            (await File.ReadAllTextAsync(Path.Combine(dir, "report.md"))).ShouldContain("inject 20/s for 1 s");

            var again = Path.Combine(dir, "again");
            (await Run("run", "--gateway", server.Url.ToString(), "--scenario", "text-to-image", "--load", "inject", "--rate", "20",
                "--duration", "1s", "--warm-up", "200ms", "--out", again, "--compare-with", dir)).Code.ShouldBe(0);
            (await File.ReadAllTextAsync(Path.Combine(again, "report.md"))).ShouldContain("Comparison with baseline");
            var (compareCode, compareOut, _) = await Run("compare", again, dir);
            compareCode.ShouldBe(0);
            compareOut.ShouldContain("p99 ms");
            File.Exists(Path.Combine(again, "compare.md")).ShouldBeTrue();
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public async Task List_names_scenarios_and_simulations()
    {
        var (code, output, _) = await Run("list");

        code.ShouldBe(0);
        output.ShouldContain("llm-stream");
        output.ShouldContain("ramping-inject");
    }
}
