using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LivepeerAspire.AppHost.Hosting;

/// <summary>SIGTERM first (so children shut down cleanly), SIGKILL of the whole tree after a grace period.</summary>
internal static partial class ProcessSignals
{
    private const int SigTerm = 15;

    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        if (HasExited(process))
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            _ = Kill(process.Id, SigTerm);
        }

        using var timeout = new CancellationTokenSource(OperatingSystem.IsWindows() ? TimeSpan.Zero : grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return;
        }
        catch (OperationCanceledException)
        {
        }

        KillNow(process);
        using var final = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(final.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static void KillNow(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
