using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// Debian's PostgreSQL as an executable resource: <c>initdb</c> into the run directory on first start (trust
/// authentication, loopback only), then <c>postgres</c> on 127.0.0.1 and a free port. PostgreSQL refuses to run as
/// root, so as root both run as the <c>postgres</c> user through <c>setpriv</c> (which execs, so DCP's signals reach
/// the server). Healthy once a connection answers <c>SELECT 1</c>.
/// </summary>
internal static class PostgresResource
{
    public const string User = "livepeer";

    public static (IResourceBuilder<ExecutableResource> Resource, string ConnectionString) AddAccessPostgres(this IDistributedApplicationBuilder builder, string name, string runDirectory)
    {
        var port = LoopbackPorts.Allocate();
        var data = Path.Combine(runDirectory, name, "data");
        var connection = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username={User};Database=postgres;Timeout=5";
        var bin = BinDirectory();
        string[] serverArgs = [Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", "", "-c", "fsync=off"];
        if (builder.ExecutionContext.IsRunMode)
        {
            InitDb(bin, data);
        }

        var (command, args) = AsServerUser(serverArgs);
        var resource = builder.AddExecutable(name, command, runDirectory, args)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Extra));
        var check = $"{name}_ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(check, _ => new AnswersQuery(connection), failureStatus: null, tags: null));
        resource.WithHealthCheck(check);
        return (resource, connection);
    }

    /// <summary>Where Debian keeps the server binaries (<c>/usr/lib/postgresql/&lt;major&gt;/bin</c>), newest major first.</summary>
    public static string BinDirectory()
    {
        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0).FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "\"gateway\": {\"auth\": {\"database\": \"postgres\"}} needs PostgreSQL's server: apt-get install postgresql (eng/test-prerequisites.sh installs it as root)");
    }

    private static void InitDb(string bin, string data)
    {
        if (File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(data);
        if (RunningAsRoot)
        {
            Run("chown", ["-R", "postgres:postgres", Path.GetDirectoryName(data)!]);
        }

        var (command, args) = AsServerUser([Path.Combine(bin, "initdb"), "-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        Run(command, args);
    }

    private static (string Command, string[] Args) AsServerUser(string[] args) =>
        RunningAsRoot ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. args]) : (args[0], args[1..]);

    private static bool RunningAsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static void Run(string command, string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{command} did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }

    private sealed class AnswersQuery(string connection) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var db = new NpgsqlConnection(connection + ";Pooling=false");
                await db.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", db);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not answer yet: " + e.Message);
            }
        }
    }
}
