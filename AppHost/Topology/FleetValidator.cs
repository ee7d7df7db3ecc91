using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// Asks the simulator whether the generated fleet file is valid (known GPU profiles, models that fit):
/// <c>dotnet Runner.Simulated.dll --validate FILE</c> exits 0, or 2 with one line naming the JSON path and the
/// reason, which is mapped back to the topology's own path. A simulator without <c>--validate</c> (one that
/// starts serving instead) is stopped and the check is skipped with a warning.
/// </summary>
public static partial class FleetValidator
{
    public static async Task<string?> ValidateAsync(string validatorCommand, IReadOnlyList<string> validatorArgs, string fleetFile, TopologySpec topology, IReadOnlyList<string> gpuPaths, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(validatorCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in validatorArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add("--validate");
        psi.ArgumentList.Add(fleetFile);
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        using var process = new Process { StartInfo = psi };
        var output = new List<string>();
        var serving = new TaskCompletionSource();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(line);
            }

            if (line.Contains("Now listening on", StringComparison.Ordinal) || line.Contains("Application started", StringComparison.Ordinal))
            {
                serving.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        var exited = process.WaitForExitAsync(ct);
        var finished = await Task.WhenAny(exited, serving.Task, Task.Delay(TimeSpan.FromSeconds(60), ct));
        if (finished != exited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return "the simulator does not support --validate yet; GPU profiles and model fit were not checked";
        }

        process.WaitForExit();
        if (process.ExitCode == 0)
        {
            return null;
        }

        string message;
        lock (output)
        {
            message = output.LastOrDefault(l => l.Contains("$", StringComparison.Ordinal)) ?? output.LastOrDefault(l => l.Trim().Length > 0) ?? $"exit code {process.ExitCode}";
        }

        throw Map(message, topology, gpuPaths);
    }

    internal static TopologyException Map(string message, TopologySpec topology, IReadOnlyList<string> gpuPaths)
    {
        var match = GpuPath().Match(message);
        if (match.Success && int.TryParse(match.Groups[1].Value, out var index) && index < gpuPaths.Count)
        {
            var rest = message[(match.Index + match.Length)..].TrimStart(':', ' ', ',', '-');
            var suffix = match.Groups[2].Value;
            var field = suffix switch
            {
                ".modelId" => ".model",
                _ => suffix,
            };
            return new TopologyException(topology.File, gpuPaths[index] + field, rest.Length > 0 ? rest : message.Trim());
        }

        var topLevel = TopPath().Match(message);
        var reason = topLevel.Success ? message[(topLevel.Index + topLevel.Length)..].TrimStart(':', ' ') : message.Trim();
        return new TopologyException(topology.File, topLevel.Success ? topLevel.Value.Replace("$.gpus", "$.orchestrators", StringComparison.Ordinal) : "$", reason.Length > 0 ? reason : message.Trim());
    }

    [GeneratedRegex(@"\$\.gpus\[(\d+)\]((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)")]
    private static partial Regex GpuPath();

    [GeneratedRegex(@"\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*")]
    private static partial Regex TopPath();
}
