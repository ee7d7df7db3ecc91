using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Runner.Simulated.Tests.Support;

/// <summary>An in-memory simulator for one test: a fleet file written to a temp path, optionally a virtual clock.</summary>
internal sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> factory;
    private readonly string fleetPath;

    public SimulatorHost(object fleet, TimeProvider? time = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        fleetPath = Path.Combine(Path.GetTempPath(), $"sim-fleet-{Guid.NewGuid():N}.json");
        File.WriteAllText(fleetPath, fleet as string ?? JsonSerializer.Serialize(fleet));
        Time = time;
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Simulator:FleetFile", fleetPath);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }

            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            if (time is not null)
            {
                b.ConfigureTestServices(s => s.AddSingleton(time));
            }
        });
        Client = factory.CreateClient();
        Client.Timeout = TimeSpan.FromSeconds(60);
    }

    public HttpClient Client { get; }

    public TimeProvider? Time { get; }

    public VirtualTimeProvider Virtual => (VirtualTimeProvider)Time!;

    /// <summary>One GPU fleet: the GPU spec's members plus defaults for id, time scale, seed and noise.</summary>
    public static SimulatorHost Single(Dictionary<string, object?> gpu, TimeProvider? time = null, double timeScale = 1, int seed = 42, double noiseCv = 0.1)
    {
        gpu.TryAdd("id", "g");
        return new SimulatorHost(new { timeScale, seed, noiseCv, gpus = new[] { gpu } }, time);
    }

    public async Task<GpuStatus> StatusAsync(string id = "g") =>
        (await Client.GetFromJsonAsync<GpuStatus>($"/admin/gpus/{id}", AdminApi.Json))!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
        File.Delete(fleetPath);
    }
}
