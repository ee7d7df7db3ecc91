using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// Debian's <c>redis-server</c> as an executable resource for the gateways' shared state: loopback only, a free port,
/// nothing persisted (the state is nonces, ticket params and results that live minutes, and a restarted Redis is the
/// case the gateways must survive anyway). Healthy once it answers <c>PING</c>. Aspire.Hosting.Redis's <c>AddRedis</c>
/// is a container whose image (docker.io/library/redis) no registry here can serve, so it is not used.
/// </summary>
internal static class RedisResource
{
    public static (IResourceBuilder<ExecutableResource> Resource, string ConnectionString) AddGatewayRedis(this IDistributedApplicationBuilder builder, string name, string runDirectory)
    {
        var port = LoopbackPorts.Allocate();
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var resource = builder.AddExecutable(name, Command(builder), directory,
                "--bind", "127.0.0.1", "--port", portText, "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--dir", directory)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Extra));
        var check = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(check, _ => new AnswersPing(port), failureStatus: null, tags: null));
        resource.WithHealthCheck(check);
        return (resource, $"127.0.0.1:{portText}");
    }

    private static string Command(IDistributedApplicationBuilder builder)
    {
        var found = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (found is null && builder.ExecutionContext.IsRunMode)
        {
            throw new InvalidOperationException(
                "gateway replicas (or \"gateway\": {\"redis\": …}) need Redis's server: apt-get install redis-server (eng/test-prerequisites.sh installs it as root)");
        }

        return found ?? "redis-server";
    }

    private sealed class AnswersPing(int port) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var client = new TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, timeout.Token);
                return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("Redis did not answer PONG");
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("Redis does not answer yet: " + e.Message);
            }
        }
    }
}
