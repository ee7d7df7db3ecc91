using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace LivepeerAspire.Protocol.Ledger.Chain;

/// <summary>The contracts' parameters (RoundsManager.roundLength, TicketBroker.unlockPeriod and ticketValidityPeriod).</summary>
public sealed record ChainParameters(long RoundLength = 5760, int UnlockPeriod = 2, int TicketValidityPeriod = 2);

/// <summary>An orchestrator to register: its key (it is sent ETH for gas), service URI and stake in LPT-wei.</summary>
public sealed record ChainOrchestrator(EthAccount Account, string ServiceUri, BigInteger Stake);

/// <summary>
/// What a deployment script does for a paid network on a chain, before any service starts: deploys RoundsManager,
/// OrchestratorRegistry and TicketBroker, initialises the first round, registers each orchestrator with its stake, sends
/// every node ETH for gas, and funds the gateway's deposit and reserve by a transaction signed with the gateway's key.
/// </summary>
public static class ChainDeployer
{
    /// <summary>ETH sent to each node for gas (1 ETH: thousands of redemptions at ganache's 2 gwei).</summary>
    public static readonly BigInteger DefaultGasAllowance = BigInteger.Pow(10, 18);

    /// <summary>
    /// The connection a first deployment by <paramref name="deployer"/> on a fresh chain will have: contract addresses
    /// follow from the deployer's address and nonce (0, 1, 2), so the AppHost can hand every service its connection
    /// string before the chain has started. <see cref="DeployAsync"/> checks that the deployment matched.
    /// </summary>
    public static ChainConnection PredictConnection(Uri endpoint, EthAccount deployer, long chainId = DevChain.ChainId)
    {
        var from = deployer.Address.ToLowerHex();
        EthAddress At(int nonce) => EthAddress.Parse(Nethereum.Util.ContractUtils.CalculateContractAddress(from, new BigInteger(nonce)));
        return new ChainConnection(endpoint, chainId, TicketBroker: At(2), Registry: At(1), RoundsManager: At(0));
    }

    /// <summary>
    /// <see cref="PrepareNetworkAsync"/> with the nodes' keys read from (or created in) their data directories, as the
    /// SQLite ledger's preparation does: each orchestrator's <c>eth.key</c>, the gateway's <c>eth.key</c>.
    /// </summary>
    public static Task<ChainConnection> PrepareFromDataDirsAsync(Uri endpoint, ChainParameters parameters,
        IReadOnlyList<(string DataDir, string ServiceUri, BigInteger Stake)> orchestrators, string gatewayDataDir,
        BigInteger deposit, BigInteger reserve, CancellationToken cancellationToken = default) =>
        PrepareNetworkAsync(endpoint, EthAccount.FromHex(DevChain.DeployerKey), parameters,
            orchestrators.Select(o => new ChainOrchestrator(EthAccount.LoadOrCreate(o.DataDir), o.ServiceUri, o.Stake)).ToList(),
            EthAccount.LoadOrCreate(gatewayDataDir), deposit, reserve, cancellationToken: cancellationToken);

    public static async Task<ChainConnection> DeployAsync(Uri endpoint, EthAccount deployer, ChainParameters parameters, long chainId = DevChain.ChainId,
        CancellationToken cancellationToken = default)
    {
        var web3 = Connect(endpoint, deployer, chainId);
        var from = deployer.Address.ToLowerHex();
        var rounds = await DeployOneAsync(web3, CompiledContract.RoundsManager, from, cancellationToken, new BigInteger(parameters.RoundLength));
        var registry = await DeployOneAsync(web3, CompiledContract.Registry, from, cancellationToken);
        var broker = await DeployOneAsync(web3, CompiledContract.TicketBroker, from, cancellationToken, rounds, registry,
            new BigInteger(parameters.UnlockPeriod), new BigInteger(parameters.TicketValidityPeriod));
        var connection = new ChainConnection(endpoint, chainId, EthAddress.Parse(broker), EthAddress.Parse(registry), EthAddress.Parse(rounds));
        var owner = new ChainLedger(connection, deployer);
        await owner.SendAsync(connection.Registry, new SetTicketBrokerFunction { TicketBroker = broker }, cancellationToken);
        await owner.InitializeRoundIfNeededAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Deploys the contracts and prepares the network on them; returns the connection string every service gets as
    /// <c>ConnectionStrings:ledger</c>.
    /// </summary>
    public static async Task<ChainConnection> PrepareNetworkAsync(Uri endpoint, EthAccount deployer, ChainParameters parameters,
        IReadOnlyList<ChainOrchestrator> orchestrators, EthAccount gateway, BigInteger deposit, BigInteger reserve,
        BigInteger? gasAllowance = null, long chainId = DevChain.ChainId, CancellationToken cancellationToken = default)
    {
        var connection = await DeployAsync(endpoint, deployer, parameters, chainId, cancellationToken);
        var owner = new ChainLedger(connection, deployer);
        var allowance = gasAllowance ?? DefaultGasAllowance;
        foreach (var o in orchestrators)
        {
            await owner.RegisterOrchestratorAsync(o.Account.Address, o.ServiceUri, o.Stake, cancellationToken);
            await SendEtherAsync(owner, o.Account.Address, allowance, cancellationToken);
        }

        await SendEtherAsync(owner, gateway.Address, allowance + deposit + reserve, cancellationToken);
        if (deposit > 0 || reserve > 0)
        {
            await new ChainLedger(connection, gateway).FundDepositAndReserveAsync(gateway.Address, deposit, reserve, cancellationToken);
        }

        return connection;
    }

    public static async Task SendEtherAsync(ChainLedger from, EthAddress to, BigInteger wei, CancellationToken cancellationToken = default)
    {
        var receipt = await from.Web3.Eth.GetEtherTransferService()
            .TransferEtherAndWaitForReceiptAsync(to.ToLowerHex(), Web3.Convert.FromWei(wei), cancellationToken: cancellationToken);
        if (receipt.Status?.Value != BigInteger.One)
        {
            throw new LedgerException($"sending {wei} wei to {to} failed");
        }
    }

    private static Web3 Connect(Uri endpoint, EthAccount account, long chainId)
    {
        var web3 = new Web3(new Account(account.PrivateKeyHex(), chainId), endpoint.AbsoluteUri);
        web3.TransactionManager.UseLegacyAsDefault = true;
        return web3;
    }

    private static async Task<string> DeployOneAsync(Web3 web3, CompiledContract contract, string from, CancellationToken cancellationToken, params object[] arguments)
    {
        var gas = await web3.Eth.DeployContract.EstimateGasAsync(contract.Abi, contract.Bytecode, from, arguments);
        var receipt = await web3.Eth.DeployContract.SendRequestAndWaitForReceiptAsync(contract.Abi, contract.Bytecode, from,
            new HexBigInteger(gas.Value * 5 / 4), cancellationToken, arguments);
        if (receipt.Status?.Value != BigInteger.One || string.IsNullOrEmpty(receipt.ContractAddress))
        {
            throw new LedgerException($"deploying {contract.Name} failed (transaction {receipt.TransactionHash})");
        }

        return receipt.ContractAddress;
    }
}
