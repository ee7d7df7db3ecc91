using System.Globalization;
using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger.Chain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>What the chain must hold before any service starts: every orchestrator registered with its stake, the gateway funded.</summary>
internal sealed record ChainPreparation(
    ChainParameters Parameters,
    IReadOnlyList<(string DataDir, string ServiceUri, BigInteger Stake)> Orchestrators,
    string GatewayDataDir,
    BigInteger Deposit,
    BigInteger Reserve);

internal static class DevChainResource
{
    /// <summary>
    /// The ganache dev chain as an executable resource on 127.0.0.1:<paramref name="port"/>. It turns healthy only once
    /// the contracts are deployed and <paramref name="preparation"/> is on the chain, so services that wait for it find
    /// their registrations and funds; the connection string is known before the chain starts (contract addresses
    /// follow from the deployer's nonces).
    /// </summary>
    public static (IResourceBuilder<ExecutableResource> Chain, string Connection) AddDevChain(
        this IDistributedApplicationBuilder builder, int port, TimeSpan blockTime, Func<ChainPreparation> preparation)
    {
        var directory = DevChain.FindChainDirectory(builder.AppHostDirectory);
        var endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var chain = builder.AddExecutable("chain", DevChain.Executable(directory), directory, [.. DevChain.Arguments(port, blockTime)])
            .WithEndpoint(port: port, targetPort: port, scheme: "http", name: "http", isProxied: false)
            .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Chain));
        var check = new ChainPreparedHealthCheck(endpoint, preparation);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("chain_prepared", _ => check, failureStatus: null, tags: null));
        chain.WithHealthCheck("chain_prepared");
        var connection = ChainDeployer.PredictConnection(endpoint, EthAccount.FromHex(DevChain.DeployerKey)).ToString();
        return (chain, connection);
    }

    /// <summary>Unhealthy until the chain answers and the deployment and preparation have run, once; a failed preparation stays failed, with its reason.</summary>
    private sealed class ChainPreparedHealthCheck(Uri endpoint, Func<ChainPreparation> preparation) : IHealthCheck
    {
        private readonly Lock gate = new();
        private Task? prepared;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (prepared is null && !await AnswersAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy($"the chain at {endpoint} does not answer yet");
            }

            Task task;
            lock (gate)
            {
                task = prepared ??= PrepareAsync();
            }

            if (!task.IsCompleted)
            {
                return HealthCheckResult.Unhealthy("deploying the contracts and registering the network");
            }

            return task.IsCompletedSuccessfully
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"preparing the chain failed: {task.Exception?.GetBaseException().Message}");
        }

        private Task PrepareAsync()
        {
            var p = preparation();
            return ChainDeployer.PrepareFromDataDirsAsync(endpoint, p.Parameters, p.Orchestrators, p.GatewayDataDir, p.Deposit, p.Reserve);
        }

        private async Task<bool> AnswersAsync(CancellationToken ct)
        {
            using var http = LoopbackHttp.Create(TimeSpan.FromSeconds(2));
            try
            {
                using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(endpoint, content, ct);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }
    }
}
