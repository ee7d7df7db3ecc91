using System.Diagnostics;
using System.Globalization;
using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.ScaleOut;

/// <summary>
/// The paid network of <c>topologies/scale-out.json</c>: three gateway replicas behind one address (the front door),
/// sharing one ETH account and their state through the AppHost's redis-server.
/// </summary>
public sealed class ScaleOutNetworkFixture() : TopologyNetworkFixture("scale-out.json")
{
    public string LedgerConnection => $"Data Source={Path.Combine(Network.RunDirectory, "ledger.db")}";

    public string GatewayDataDir => Path.Combine(Network.RunDirectory, "gateway", "data");

    /// <summary>gateway-1, gateway-2, gateway-3 → each replica's own URL.</summary>
    public IReadOnlyDictionary<string, string> Replicas => Network.GatewayReplicaUrls;

    /// <summary>The process DCP started for a resource (executables run as themselves, so this is the service or redis-server).</summary>
    public Process ProcessOf(string resource)
    {
        Network.App.ResourceNotifications.TryGetCurrentState(resource, out var state).ShouldBeTrue(resource);
        var pid = state!.Snapshot.Properties.SingleOrDefault(p => p.Name == "executable.pid")?.Value;
        return Process.GetProcessById(Convert.ToInt32(pid, CultureInfo.InvariantCulture));
    }

    /// <summary>Starts a resource again after it was killed, and waits until it is healthy.</summary>
    public async Task RestartAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        if (Network.StateOf(resource) == "Running")
        {
            return;
        }

        (await Network.ExecuteCommandAsync(resource, "resource-start", timeout.Token)).Success.ShouldBeTrue(resource);
        await Network.WaitForHealthyAsync(resource, timeout.Token);
    }

    /// <summary>How many keys of the shared Redis match <paramref name="pattern"/> (RESP over a socket: KEYS).</summary>
    public async Task<int> RedisKeyCountAsync(string pattern)
    {
        var port = new Uri(Network.UrlOf("redis")!).Port;
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var command = $"*2\r\n$4\r\nKEYS\r\n${System.Text.Encoding.UTF8.GetByteCount(pattern)}\r\n{pattern}\r\n";
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(command));
        using var reader = new StreamReader(stream);
        var header = await reader.ReadLineAsync() ?? "";
        header.StartsWith('*').ShouldBeTrue($"KEYS answered {header}");
        return int.Parse(header[1..], CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the front door sends requests to <paramref name="replica"/> again (its health probe has seen it back).</summary>
    public async Task WaitUntilServingAsync(string replica)
    {
        using var client = CreateClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("/orchestrators"); // /alive and /health are the front door's own
            if (response.Headers.TryGetValues("Livepeer-Gateway-Replica", out var values) && values.Single() == replica)
            {
                return;
            }

            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(1), $"the front door did not send to {replica} again");
            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ScaleOutNetwork : ICollectionFixture<ScaleOutNetworkFixture>
{
    public const string Name = "Scale-out network";
}
