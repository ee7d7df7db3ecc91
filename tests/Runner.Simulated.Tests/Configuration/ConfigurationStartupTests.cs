using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Runner.Simulated.Tests.Configuration;

/// <summary>
/// The simulator's durations live in its fleet file (keepAlive, parsed by the shared Go-duration parser and tested
/// with the fleet validator); its configuration options are numbers and paths. A value it cannot read stops it the
/// same way as the other services.
/// </summary>
public sealed class ConfigurationStartupTests
{
    [Fact]
    public async Task A_value_it_cannot_read_stops_the_simulator_with_one_line_naming_key_value_and_accepted_forms()
    {
        var (code, _, stderr) = await ServiceProcess.RunAsync("Runner.Simulated.dll", new Dictionary<string, string> { ["Simulator__TimeScale"] = "fast" }, TimeSpan.FromSeconds(60), until: null);

        code.ShouldBe(2);
        stderr.ShouldBe("runner-simulated: refusing to start: Simulator:TimeScale (Simulator__TimeScale) = 'fast' cannot be read; use a number such as 0.5");
    }
}
