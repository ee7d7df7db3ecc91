using LivepeerAspire.Gateway.Discovery;

namespace LivepeerAspire.Gateway.Tests.Discovery;

/// <summary>-orchAddr entries in go-livepeer's forms (parseOrchAddrs with defaultAddr) as well as full URLs.</summary>
public sealed class OrchestratorAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8936", "https://127.0.0.1:8936")]
    [InlineData("orch.example.com:9000", "https://orch.example.com:9000")]
    [InlineData("orch.example.com", "https://orch.example.com:8935")]
    [InlineData(":8937", "https://127.0.0.1:8937")]
    [InlineData("http://127.0.0.1:8935", "http://127.0.0.1:8935")]
    [InlineData(" https://o1.example:8935/ ", "https://o1.example:8935")]
    public void Go_livepeer_forms_become_urls(string entry, string expected)
    {
        OrchestratorAddress.TryParse(entry, out var uri).ShouldBeTrue();

        OrchestratorKey.Of(uri).ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("https://")]
    public void Unreadable_entries_are_refused(string entry) =>
        OrchestratorAddress.TryParse(entry, out _).ShouldBeFalse();

    [Fact]
    public void The_configured_source_reads_a_go_livepeer_style_list()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var urls = ConfiguredOrchestratorSource.Read(new DiscoveryOptions { OrchAddr = "127.0.0.1:8936, :8937,https://127.0.0.1:8936" }, configuration);

        urls.Select(OrchestratorKey.Of).ShouldBe(["https://127.0.0.1:8936", "https://127.0.0.1:8937"]);
    }
}
