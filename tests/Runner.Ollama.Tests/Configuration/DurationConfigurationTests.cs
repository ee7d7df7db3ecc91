using LivepeerAspire.Protocol.Configuration;
using LivepeerAspire.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace LivepeerAspire.Runner.Ollama.Tests.Configuration;

public sealed class DurationConfigurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("500ms", 500)]
    public void Health_probe_timeout_takes_go_durations(string value, double milliseconds)
    {
        ConfigurationValues.Register();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OllamaRunner:HealthProbeTimeout"] = value }).Build();

        var options = configuration.GetSection(OllamaRunnerOptions.Section).Get<OllamaRunnerOptions>()!;

        options.HealthProbeTimeout.TotalMilliseconds.ShouldBe(milliseconds);
    }

    [Fact]
    public async Task A_duration_it_cannot_read_stops_the_shim_with_one_line_naming_key_value_and_accepted_forms()
    {
        var (code, _, stderr) = await ServiceProcess.RunAsync("Runner.Ollama.dll", new Dictionary<string, string> { ["OllamaRunner__HealthProbeTimeout"] = "soon" }, TimeSpan.FromSeconds(60), until: null);

        code.ShouldBe(2);
        stderr.ShouldBe("runner-ollama: refusing to start: OllamaRunner:HealthProbeTimeout (OllamaRunner__HealthProbeTimeout) = 'soon' cannot be read; use " + GoDuration.AcceptedForms);
    }
}
