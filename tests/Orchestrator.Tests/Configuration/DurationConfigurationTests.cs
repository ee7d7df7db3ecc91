using LivepeerAspire.Protocol.Configuration;
using LivepeerAspire.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace LivepeerAspire.Orchestrator.Tests.Configuration;

public sealed class DurationConfigurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("500ms", 500)]
    [InlineData("00:00:02", 2_000)]
    public void Runner_call_timeout_takes_go_durations_and_dotnet_time_spans(string value, double milliseconds)
    {
        ConfigurationValues.Register();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Orchestrator:RunnerCallTimeout"] = value }).Build();

        var options = configuration.GetSection(OrchestratorOptions.Section).Get<OrchestratorOptions>()!;

        options.RunnerCallTimeout.TotalMilliseconds.ShouldBe(milliseconds);
    }

    [Fact]
    public async Task A_duration_it_cannot_read_stops_the_orchestrator_with_one_line_naming_key_value_and_accepted_forms()
    {
        var (code, _, stderr) = await ServiceProcess.RunAsync("Orchestrator.dll", new Dictionary<string, string> { ["Orchestrator__RunnerCallTimeout"] = "soon" }, TimeSpan.FromSeconds(60), until: null);

        code.ShouldBe(2);
        stderr.ShouldBe("orchestrator: refusing to start: Orchestrator:RunnerCallTimeout (Orchestrator__RunnerCallTimeout) = 'soon' cannot be read; use " + GoDuration.AcceptedForms);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("0x1234")]
    public async Task An_eth_address_it_cannot_read_stops_the_orchestrator_with_one_line_naming_key_and_value(string value)
    {
        var (code, _, stderr) = await ServiceProcess.RunAsync("Orchestrator.dll", new Dictionary<string, string> { ["Orchestrator__EthAddress"] = value }, TimeSpan.FromSeconds(60), until: null);

        code.ShouldBe(2);
        stderr.ShouldBe($"orchestrator: refusing to start: invalid configuration: Orchestrator:EthAddress '{value}' is not an ETH address; use 40 hex digits, 0x optional (go-livepeer -ethOrchAddr)");
    }
}
