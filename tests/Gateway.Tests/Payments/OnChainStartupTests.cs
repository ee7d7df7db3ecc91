using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Eth;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Payments;

/// <summary>On-chain settings that cannot work refuse start with the key and the fix.</summary>
public sealed class OnChainStartupTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gw-onchain-start-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private Dictionary<string, string?> OnChain(string key, string value) => new()
    {
        ["ConnectionStrings:ledger"] = $"Data Source={Path.Combine(dir, "ledger.db")}",
        ["Payments:DataDir"] = Path.Combine(dir, "gateway"),
        [key] = value,
    };

    [Fact]
    public async Task A_gateway_address_that_is_not_its_keys_address_is_refused_because_it_could_not_sign_for_it()
    {
        var other = EthAccount.Generate().Address.ToLowerHex();

        var ex = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], OnChain("Discovery:GatewayAddress", other));
        });

        ex.Message.ShouldContain($"Discovery:GatewayAddress {other} is not the address of the key in Payments:DataDir");
    }

    [Fact]
    public async Task A_negative_auth_token_refresh_margin_is_refused()
    {
        var ex = await Should.ThrowAsync<InvalidOperationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], OnChain("Payments:AuthTokenRefreshMargin", "-00:01:00"));
        });

        ex.Message.ShouldContain("Payments:AuthTokenRefreshMargin");
    }
}
