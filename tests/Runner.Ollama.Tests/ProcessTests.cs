using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LivepeerAspire.Runner.Ollama.Tests;

/// <summary>The real Runner.Ollama.dll as a process (its Program.cs maps the ai-runner /health, not ServiceDefaults').</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task The_process_serves_the_ai_runner_health_and_alive_from_its_configuration()
    {
        await using var ollama = await FakeOllama.StartAsync();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Runner.Ollama.dll"), "--urls", "http://127.0.0.1:0",
            $"--OllamaRunner:BaseUrl={ollama.BaseUrl}", "--OllamaRunner:ModelId=meta-llama/Meta-Llama-3.1-8B-Instruct",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningOn().Match(e.Data) is { Success: true } m)
            {
                listening.TrySetResult(m.Groups[1].Value);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

            var health = await client.GetAsync("/health");
            var status = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
            status.ShouldBeOneOf("OK", "LOADING");
            health.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.GetAsync("/alive")).StatusCode.ShouldBe(HttpStatusCode.OK);
            var version = JsonDocument.Parse(await client.GetStringAsync("/version")).RootElement;
            version.GetProperty("model_id").GetString().ShouldBe("meta-llama/Meta-Llama-3.1-8B-Instruct");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
