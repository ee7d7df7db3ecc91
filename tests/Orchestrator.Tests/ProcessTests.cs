using System.Diagnostics;
using System.Text;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>The real Orchestrator.dll as a process: how it refuses to start. Processes are killed even on failure.</summary>
public sealed class ProcessTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orchestrator.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit();
            lock (output)
            {
                return (process.ExitCode, output.ToString());
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task An_invalid_ai_models_file_stops_the_process_with_exit_code_2_and_a_message_naming_file_and_entry()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("orch-proc-").FullName, "aiModels.json");
        await File.WriteAllTextAsync(file, """[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","optimization_flags":{"MAX_MODEL_LEN":4096}}]""");
        try
        {
            var (code, output) = await RunAsync("--urls", "http://127.0.0.1:0", $"--Orchestrator:AiModelsFile={file}");

            code.ShouldBe(2);
            output.ShouldContain($"aiModels file '{file}': entry 0 (llm m): optimization_flags.MAX_MODEL_LEN must be a string or a boolean");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task An_ETH_USD_price_that_is_not_a_positive_number_stops_the_process_naming_the_key()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("orch-proc-").FullName, "aiModels.json");
        await File.WriteAllTextAsync(file, """[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":0.18,"currency":"USD"}]""");
        try
        {
            var (code, output) = await RunAsync("--urls", "http://127.0.0.1:0", $"--Orchestrator:AiModelsFile={file}", "--Pricing:EthUsd=lots");

            code.ShouldBe(2);
            output.ShouldContain("Pricing:EthUsd must be a positive number");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_runner_that_reports_error_at_start_up_stops_the_process_with_exit_code_1()
    {
        await using var runner = await FakeRunner.StartAsync();
        runner.HealthStatus = "ERROR";
        var file = Path.Combine(Directory.CreateTempSubdirectory("orch-proc-").FullName, "aiModels.json");
        await File.WriteAllTextAsync(file, $$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}"}]""");
        try
        {
            var (code, output) = await RunAsync("--urls", "http://127.0.0.1:0", $"--Orchestrator:AiModelsFile={file}");

            code.ShouldBe(1);
            output.ShouldContain("runner reported ERROR");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }
}
