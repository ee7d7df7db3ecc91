using System.Diagnostics;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// The container engine DCP runs containers with: docker if its daemon answers, else podman, else none with the
/// reason (each engine's own message). An engine named by <c>ASPIRE_CONTAINER_RUNTIME</c> is taken as given.
/// </summary>
public sealed record ContainerEngine(string? Name, string? UnavailableReason)
{
    public const string RuntimeKey = "ASPIRE_CONTAINER_RUNTIME";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(15);

    public bool IsAvailable => Name is not null;

    public static async Task<ContainerEngine> DetectAsync(string? configured, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ContainerEngine(configured, null);
        }

        var reasons = new List<string>();
        foreach (var engine in new[] { "docker", "podman" })
        {
            var (answered, message) = await ProbeAsync(engine, ct);
            if (answered)
            {
                return new ContainerEngine(engine, null);
            }

            reasons.Add($"{engine}: {message}");
        }

        return new ContainerEngine(null, "no container engine answers (" + string.Join("; ", reasons) + ")");
    }

    /// <summary>The GPU request as this engine takes it: docker's <c>--gpus</c>, podman's CDI device (nvidia-ctk cdi generate).</summary>
    public IReadOnlyList<string> GpuArgs(string request) => Name == "podman"
        ? request == "all" ? ["--device", "nvidia.com/gpu=all"] : request.Split(',').SelectMany(d => new[] { "--device", $"nvidia.com/gpu={d}" }).ToList()
        : ["--gpus", request == "all" ? "all" : $"\"device={request}\""];

    private static async Task<(bool Answered, string Message)> ProbeAsync(string engine, CancellationToken ct)
    {
        var start = new ProcessStartInfo(engine, ["info", "--format", "{{json .}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return (false, $"`{engine} info` did not answer within {ProbeTimeout.TotalSeconds:0} s");
            }

            var firstLine = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return process.ExitCode == 0 ? (true, "") : (false, firstLine ?? $"`{engine} info` exited with {process.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, "not installed");
        }
    }
}
