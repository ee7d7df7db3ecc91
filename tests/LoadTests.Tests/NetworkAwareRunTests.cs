using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace LivepeerAspire.LoadTests.Tests;

/// <summary>`run` asks the network what it serves, names orchestrators as the network does, and fails on failures.</summary>
public sealed class NetworkAwareRunTests
{
    private const string ServedLlama = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await LoadTestCli.RunAsync(args, new CliContext { Args = args, Out = stdout, Error = stderr, ShowProgress = false });
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A gateway whose network serves only an LLM, on orchestrator "o1" with an RTX 4090; every job answers <paramref name="status"/>.</summary>
    private static Task<FakeGateway> LlmOnlyNetworkAsync(ConcurrentBag<string> models, int status = 200) => FakeGateway.StartAsync(app =>
    {
        var self = "";
        app.Lifetime.ApplicationStarted.Register(() => self = app.Urls.First().TrimEnd('/'));
        app.MapGet("/getNetworkCapabilities", () => Results.Json(new
        {
            capabilities_names = new Dictionary<string, string> { ["33"] = "Llm" },
            orchestrators = new[]
            {
                new
                {
                    address = "0x01",
                    local_address = self + "/orch-a",
                    orch_uri = self + "/orch-a",
                    hardware = new[] { new { pipeline = "llm", model_id = ServedLlama, gpu_info = new Dictionary<string, object> { ["0"] = new { id = "g", name = "NVIDIA GeForce RTX 4090", memory_total = 1, memory_free = 1, major = 8, minor = 9 } } } },
                    latency_ms = 1.0,
                    models = new[] { new { pipeline = "llm", model_id = ServedLlama, warm = true, capacity = 1 } },
                },
            },
        }));
        app.MapGet("/orch-a/status", () => Results.Json(new { name = "o1" }));
        app.MapPost("/llm", async (HttpContext ctx) =>
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            models.Add(doc.RootElement.GetProperty("model").GetString()!);
            FakeGateway.SetLivepeerHeaders(ctx, self + "/orch-a", 1, "64");
            ctx.Response.StatusCode = status;
            await ctx.Response.WriteAsJsonAsync(status == 200
                ? new { choices = new[] { new { index = 0, message = new { role = "assistant", content = "hi" }, finish_reason = "stop" } } }
                : (object)new { detail = new { msg = "broken" } });
        });
    });

    [Fact]
    public async Task A_scenario_whose_pipeline_nobody_serves_is_refused_up_front_with_the_reason()
    {
        await using var gateway = await LlmOnlyNetworkAsync([]);

        var (code, _, err) = await Run("run", "--gateway", gateway.Url.ToString(), "--scenario", "llm-stream=1,text-to-image=1", "--rate", "1", "--duration", "1s");

        code.ShouldBe(2);
        err.ShouldContain("sends text-to-image jobs, but no orchestrator behind");
        err.ShouldContain("served: llm");
    }

    [Fact]
    public async Task The_mixed_application_scenario_keeps_only_what_the_network_serves()
    {
        var models = new ConcurrentBag<string>();
        await using var gateway = await LlmOnlyNetworkAsync(models);
        var dir = Path.Combine(Path.GetTempPath(), "lt-mixed-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The stand-in answers streamed jobs with plain JSON, so failures are not the point here.
            var (code, output, err) = await Run("run", "--gateway", gateway.Url.ToString(), "--scenario", "mixed", "--load", "inject", "--rate", "10",
                "--duration", "1s", "--warm-up", "0s", "--out", dir, "--max-failure-rate", "100%");

            code.ShouldBe(0, err + output);
            output.ShouldContain("(only llm-stream, llm: the rest is not served here)");
            models.Count.ShouldBe(10);
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
    public async Task Models_come_from_the_contract_default_resolved_against_what_the_network_serves_and_reports_name_orchestrators()
    {
        var models = new ConcurrentBag<string>();
        await using var gateway = await LlmOnlyNetworkAsync(models);
        var dir = Path.Combine(Path.GetTempPath(), "lt-net-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = await Run("run", "--gateway", gateway.Url.ToString(), "--scenario", "llm", "--load", "inject", "--rate", "10",
                "--duration", "1s", "--warm-up", "0s", "--out", dir);

            code.ShouldBe(0, err + output);
            models.ShouldNotBeEmpty();
            models.ShouldAllBe(m => m == ServedLlama);
            var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "summary.json"))).RootElement;
            var names = summary.GetProperty("runs")[0].GetProperty("byOrchestrator").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
            names.ShouldBe(["o1 · RTX 4090"]);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("100%", 0)]
    public async Task A_run_whose_failure_rate_passes_the_limit_exits_non_zero(string? limit, int expected)
    {
        await using var gateway = await LlmOnlyNetworkAsync([], status: 500);
        var dir = Path.Combine(Path.GetTempPath(), "lt-fail-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] args = ["run", "--gateway", gateway.Url.ToString(), "--scenario", "llm", "--load", "inject", "--rate", "10", "--duration", "1s", "--warm-up", "0s", "--out", dir];
            var (code, output, _) = await Run(limit is null ? args : [.. args, "--max-failure-rate", limit]);

            code.ShouldBe(expected);
            if (expected == 1)
            {
                output.ShouldContain("FAILED: 100 % of 10 measured requests failed; --max-failure-rate is 5 %");
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
