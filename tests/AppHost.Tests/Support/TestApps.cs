using LivepeerAspire.AppHost.Hosting;

namespace LivepeerAspire.AppHost.Tests.Support;

internal static class TestApps
{
    /// <summary>A builder for small compositions of real child processes (sh, sleep), fast probes, no dashboard unless asked.</summary>
    public static DistributedApplicationBuilder Builder(int? dashboardPort = null, TextWriter? output = null) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            DashboardPort = dashboardPort,
            ShutdownGracePeriod = TimeSpan.FromSeconds(2),
            HealthCheckInterval = TimeSpan.FromMilliseconds(200),
            StartupProbeInterval = TimeSpan.FromMilliseconds(50),
            Output = output ?? TextWriter.Null,
        });

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(25);
        }
    }

    public static bool ProcessIsGone(int pid)
    {
        // A zombie still has /proc/<pid>; its state letter is Z.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return true;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is "Z" or "X";
        }
        catch (IOException)
        {
            return true;
        }
    }
}
