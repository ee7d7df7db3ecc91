using System.Globalization;
using System.Numerics;
using System.Text;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Chain.Tests;

/// <summary>
/// One ganache per test class, on a free 127.0.0.1 port, mining a block per transaction; disposed (killed by PID) when
/// the class ends, also when a test failed. Each test deploys its own contracts, so tests do not share state.
/// </summary>
public sealed class DevChainFixture : IAsyncLifetime
{
    public DevChain Chain { get; private set; } = null!;

    public async Task InitializeAsync() => Chain = await DevChain.StartAsync(TimeSpan.Zero);

    public async Task DisposeAsync()
    {
        if (Chain is not null)
        {
            await Chain.DisposeAsync();
        }
    }
}

/// <summary>A freshly deployed network: deployer, a funded gateway, registered orchestrators, and helpers.</summary>
internal sealed class TestNetwork
{
    private static readonly HttpClient Http = new();

    private TestNetwork(Uri endpoint, ChainConnection connection, EthAccount deployer, EthAccount gateway, EthAccount[] orchestrators, Random random)
    {
        Endpoint = endpoint;
        Connection = connection;
        Deployer = new ChainLedger(connection, deployer);
        Gateway = gateway;
        GatewayLedger = new ChainLedger(connection, gateway);
        Orchestrators = orchestrators;
        Random = random;
    }

    public Uri Endpoint { get; }
    public ChainConnection Connection { get; }
    public ChainLedger Deployer { get; }
    public EthAccount Gateway { get; }
    public ChainLedger GatewayLedger { get; }
    public EthAccount[] Orchestrators { get; }
    public Random Random { get; }

    public static async Task<TestNetwork> DeployAsync(Uri endpoint, BigInteger deposit, BigInteger reserve, int orchestrators = 2,
        ChainParameters? parameters = null, int seed = 15)
    {
        var random = new Random(seed);
        var deployer = EthAccount.FromHex(DevChain.DeployerKey);
        var gateway = AccountFrom(random);
        var orchs = Enumerable.Range(0, orchestrators).Select(_ => AccountFrom(random)).ToArray();
        var connection = await ChainDeployer.PrepareNetworkAsync(endpoint, deployer, parameters ?? new ChainParameters(),
            orchs.Select((o, i) => new ChainOrchestrator(o, $"https://127.0.0.1:{8935 + i}", BigInteger.Pow(10, 18))).ToList(),
            gateway, deposit, reserve);
        return new TestNetwork(endpoint, connection, deployer, gateway, orchs, random);
    }

    public static EthAccount AccountFrom(Random random)
    {
        var key = new byte[32];
        random.NextBytes(key);
        key[0] = 0x01; // keeps the key below the curve order
        return new EthAccount(key);
    }

    public BigInteger NewRecipientRand()
    {
        var bytes = new byte[32];
        Random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>A ticket the way the gateway makes one: params from the chain head, signed by the gateway's key.</summary>
    public async Task<(Ticket Ticket, byte[] Signature, BigInteger RecipientRand)> TicketAsync(EthAccount recipient, BigInteger faceValue,
        BigInteger? winProb = null, uint nonce = 1, EthAccount? signer = null)
    {
        var head = await Deployer.GetHeadAsync();
        var rand = NewRecipientRand();
        var ticket = new Ticket(recipient.Address, Gateway.Address, faceValue, winProb ?? TicketMath.MaxWinProb, nonce, RecipientRand.Hash(rand),
            head.LastInitializedRound, head.LastInitializedRoundBlockHash);
        var signature = (signer ?? Gateway).SignDigest(ticket.SignatureDigest());
        return (ticket, signature, rand);
    }

    public async Task<BigInteger> BalanceAsync(EthAddress address) =>
        (await Deployer.Web3.Eth.GetBalance.SendRequestAsync(address.ToLowerHex())).Value;

    public async Task MineAsync(int blocks)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $$"""{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[{"blocks":{{blocks}}}]}""");
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(Endpoint, content);
        response.EnsureSuccessStatusCode();
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("\"error\"");
    }
}
