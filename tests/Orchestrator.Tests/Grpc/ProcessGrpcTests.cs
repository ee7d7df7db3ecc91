using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LivepeerAspire.Orchestrator.Tls;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Orchestrator.Tests.Grpc;

/// <summary>The real Orchestrator.dll as a process, switched to TLS by nothing but an https:// --urls and a data dir.</summary>
public sealed class ProcessGrpcTests
{
    [Fact]
    public async Task An_orchestrator_process_on_an_https_url_answers_a_foreign_grpc_client()
    {
        var dir = Directory.CreateTempSubdirectory("orch-proc-grpc-").FullName;
        await using var runner = await FakeRunner.StartAsync("t2i");
        var models = Path.Combine(dir, "aiModels.json");
        await File.WriteAllTextAsync(models, $$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}","price_per_unit":7}]""");
        var url = $"https://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Orchestrator.dll"), "--urls", url,
            $"--Orchestrator:AiModelsFile={models}", $"--Orchestrator:DataDir={Path.Combine(dir, "data")}" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = TlsClients.Http(url, HttpVersion.Version11);
            await WaitHealthyAsync(http, process);

            var answer = await NodeScript.RunAsync("grpc-orchestrator-client.mjs", url, Path.Combine(dir, "data", ServiceCertificate.CertFileName));

            var orchestrator = answer.GetProperty("info");
            orchestrator.GetProperty("transcoder").GetString().ShouldBe(url);
            var price = orchestrator.GetProperty("capabilities_prices")[0];
            (price.GetProperty("capability").GetUInt32(), price.GetProperty("constraint").GetString(), price.GetProperty("pricePerUnit").GetString())
                .ShouldBe((27u, "stabilityai/sdxl-turbo", "7"));
            orchestrator.GetProperty("hardware")[0].GetProperty("gpu_info").GetProperty("0").GetProperty("name").GetString().ShouldNotBeNullOrEmpty();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task WaitHealthyAsync(HttpClient http, Process process)
    {
        for (var i = 0; i < 600; i++)
        {
            process.HasExited.ShouldBeFalse($"the orchestrator exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the orchestrator process did not become healthy within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
