using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Gateway.Timeouts;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Selection;

public sealed class ConfigValidationTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new SelectionOptions().Validate().ShouldBeEmpty();
        new TimeoutOptions().Validate().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Strategy", "fastest", "unknown")]
    [InlineData("StakeWeight", "0.5", "sum to 1")]
    [InlineData("PriceExpFactor", "0", "PriceExpFactor")]
    [InlineData("MaxPricePerUnit", "5GBP", "MaxPricePerUnit")]
    [InlineData("MaxPricePerUnit", "cheap", "0.5USD")]
    [InlineData("MaxPricePerCapabilityJson", "{\"capabilities_prices\":[{\"pipeline\":\"text-to-image\",\"price_per_unit\":\"lots\"}]}", "MaxPricePerCapabilityJson entry 0:PricePerUnit")]
    [InlineData("MaxPricePerCapabilityJson", "{\"prices\":[]}", "capabilities_prices")]
    [InlineData("MaxPricePerCapabilityJson", "/no/such/prices.json", "neither inline JSON nor a readable file")]
    [InlineData("Adaptive:TailShare", "1", "TailShare")]
    public async Task Bad_selection_config_refuses_to_start_with_the_reason(string key, string value, string reason)
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], new() { ["Selection:" + key] = value });
        });
        ex.Message.ShouldContain(reason);
    }

    [Theory]
    [InlineData("Timeouts:FirstToken", "-00:00:01", "FirstToken")]
    [InlineData("Timeouts:Pipelines:llm:Deadline", "-00:00:05", "Deadline")]
    [InlineData("Timeouts:Pipelines:nope:Deadline", "00:00:05", "not a known pipeline")]
    [InlineData("Discovery:OrchAddr", "not a url", "OrchAddr")]
    public async Task Bad_timeouts_or_discovery_refuse_to_start(string key, string value, string reason)
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], new() { [key] = value });
        });
        ex.Message.ShouldContain(reason);
    }

    [Fact]
    public void Weights_off_by_more_than_the_go_livepeer_tolerance_are_refused()
    {
        new SelectionOptions { StakeWeight = 0.7, PriceWeight = 0, RandWeight = 0.30005 }.Validate().ShouldBeEmpty();
        new SelectionOptions { StakeWeight = 0.7, PriceWeight = 0, RandWeight = 0.3002 }.Validate().ShouldNotBeEmpty();
    }
}

public sealed class StakeListTests
{
    [Fact]
    public void Stake_list_gives_stakes_by_url_and_bad_entries_are_refused()
    {
        var options = new SelectionOptions { StakeList = "http://o1:1/=100, http://o2:1=300.5" };
        options.Validate().ShouldBeEmpty();
        var reader = new ConfiguredStakeReader(TestSessions.Selection(options));
        reader.StakeOf(TestSessions.Session("http://o1:1/")).ShouldBe(100m);
        reader.StakeOf(TestSessions.Session("http://o2:1/")).ShouldBe(300.5m);
        reader.StakeOf(TestSessions.Session("http://o3:1/")).ShouldBe(0m);

        new SelectionOptions { StakeList = "http://o1:1=lots" }.Validate().ShouldContain(e => e.Contains("StakeList"));
    }
}
