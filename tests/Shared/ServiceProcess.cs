using System.Diagnostics;
using System.Text;

namespace LivepeerAspire.Tests.Shared;

/// <summary>
/// Runs a built service dll as a real process until it exits, or until its stdout shows <c>until</c> (then it is
/// killed and the exit code is -1), or a timeout kills it; returns exit code and output.
/// </summary>
internal static class ServiceProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string dll, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string? until, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (stdout)
            {
                stdout.AppendLine(e.Data);
            }

            if (until is not null && e.Data?.Contains(until, StringComparison.Ordinal) == true)
            {
                seen.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            var exited = process.WaitForExitAsync(cancel.Token);
            if (await Task.WhenAny(exited, seen.Task) == seen.Task)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                lock (stdout)
                {
                    return (-1, stdout.ToString(), stderr.ToString().Trim());
                }
            }

            await exited;
            process.WaitForExit();
            lock (stdout)
            {
                lock (stderr)
                {
                    return (process.ExitCode, stdout.ToString(), stderr.ToString().Trim());
                }
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
}
