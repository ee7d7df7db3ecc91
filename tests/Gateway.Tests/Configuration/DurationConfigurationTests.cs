using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Protocol.Configuration;
using LivepeerAspire.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace LivepeerAspire.Gateway.Tests.Configuration;

/// <summary>go-livepeer's duration syntax in the gateway's configuration, and how the process refuses a value it cannot read.</summary>
public sealed class DurationConfigurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("00:00:02", 2_000)]
    public void Discovery_timeout_takes_go_durations_and_dotnet_time_spans(string value, double milliseconds)
    {
        ConfigurationValues.Register();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Discovery:Timeout"] = value }).Build();

        var options = configuration.GetSection(DiscoveryOptions.Section).Get<DiscoveryOptions>()!;

        options.Timeout.TotalMilliseconds.ShouldBe(milliseconds);
    }

    [Fact]
    public void Every_duration_option_of_the_gateway_binds_a_go_duration()
    {
        ConfigurationValues.Register();
        var checkedOptions = 0;
        foreach (var type in typeof(GatewayExtensions).Assembly.GetTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null))
        {
            foreach (var property in type.GetProperties().Where(p => p.CanWrite && (p.PropertyType == typeof(TimeSpan) || p.PropertyType == typeof(TimeSpan?))))
            {
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [property.Name] = "1m30s" }).Build();
                var options = Activator.CreateInstance(type)!;
                configuration.Bind(options);
                property.GetValue(options).ShouldBe(TimeSpan.FromSeconds(90), $"{type.Name}.{property.Name}");
                checkedOptions++;
            }
        }

        checkedOptions.ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task A_duration_it_cannot_read_stops_the_gateway_with_one_line_naming_key_value_and_accepted_forms()
    {
        var (code, _, stderr) = await ServiceProcess.RunAsync("Gateway.dll", new Dictionary<string, string> { ["Discovery__Timeout"] = "soon" }, TimeSpan.FromSeconds(60), until: null);

        code.ShouldBe(2);
        stderr.ShouldBe("gateway: refusing to start: Discovery:Timeout (Discovery__Timeout) = 'soon' cannot be read; use " + GoDuration.AcceptedForms);
    }

    [Fact]
    public async Task The_gateway_starts_with_a_go_duration_discovery_timeout()
    {
        var (code, stdout, stderr) = await ServiceProcess.RunAsync("Gateway.dll", new Dictionary<string, string> { ["Discovery__Timeout"] = "5s" }, TimeSpan.FromSeconds(60), until: "Now listening on");

        code.ShouldBe(-1, $"stdout: {stdout}\nstderr: {stderr}");
    }
}
