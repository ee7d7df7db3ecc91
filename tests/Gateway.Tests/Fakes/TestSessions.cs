using Google.Protobuf;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Fakes;

/// <summary>Builds OrchestratorInfo, sessions and a session manager over an in-memory "network" (no sockets).</summary>
public static class TestSessions
{
    public static OrchestratorInfo Info(string url, Pipeline pipeline, string model, bool warm = true, long price = 0, long pixels = 1, int capacity = 1, byte addressByte = 0)
    {
        var info = new OrchestratorInfo
        {
            Transcoder = url,
            Address = ByteString.CopyFrom(Enumerable.Repeat(addressByte, 20).ToArray()),
            PriceInfo = new PriceInfo { PricePerUnit = price, PixelsPerUnit = pixels },
            Capabilities = new Capabilities { Constraints = new Capabilities.Types.Constraints() },
        };
        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models[model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint { Warm = warm, Capacity = (uint)capacity };
        info.Capabilities.Constraints.PerCapability[(uint)pipeline.CapabilityId] = perCap;
        return info;
    }

    public static AiSession Session(string url, Pipeline? pipeline = null, string model = "m", long price = 0, int capacity = 1, TimeSpan? latency = null)
    {
        var p = pipeline ?? PipelineCatalog.TextToImage;
        var info = Info(url, p, model, price: price, capacity: capacity);
        return new AiSession(new DiscoveredOrchestrator(new Uri(url), info, latency ?? TimeSpan.FromMilliseconds(5)), p, model, warm: true);
    }

    /// <summary>Converts USD prices at 2,000 USD per ETH.</summary>
    public static readonly LivepeerAspire.Protocol.Pricing.PriceConverter Prices = new(new LivepeerAspire.Protocol.Pricing.BigRational(2000));

    public static StrategySelector Selection(SelectionOptions options) =>
        new([new RoundRobinStrategy(), new StakePriceLatencyStrategy(), new AdaptiveStrategy()], Options.Create(options));

    public static SelectionContext Context(StrategySelector selection, Random random, double work = 1, TimeSpan? remaining = null, SpeedTracker? speeds = null, Pipeline? pipeline = null, string model = "m") =>
        new(pipeline ?? PipelineCatalog.TextToImage, model, work, remaining ?? TimeSpan.FromHours(1), selection.Options, random, speeds ?? new SpeedTracker(selection, new ManualTimeProvider()), new ConfiguredStakeReader(selection));
}

/// <summary>An in-memory network: URL → OrchestratorInfo (or unreachable).</summary>
public sealed class FakeInfoClient : IOrchestratorInfoClient
{
    public Dictionary<string, OrchestratorInfo?> Network { get; } = [];

    public int Calls;

    public Task<DiscoveredOrchestrator> GetOrchestratorAsync(Uri orchestrator, Capabilities? capabilities, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (Network.GetValueOrDefault(orchestrator.ToString()) is { } info)
        {
            return Task.FromResult(new DiscoveredOrchestrator(orchestrator, info, TimeSpan.FromMilliseconds(Network.Keys.ToList().IndexOf(orchestrator.ToString()) + 1)));
        }

        return Task.FromException<DiscoveredOrchestrator>(new HttpRequestException("unreachable"));
    }

    public sealed class Source(FakeInfoClient client) : IOrchestratorSource
    {
        public string Name => "fake";

        public ValueTask<IReadOnlyList<Uri>> GetOrchestratorUrlsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Uri>>(client.Network.Keys.Select(k => new Uri(k)).ToList());
    }

    public OrchestratorDiscovery Discovery(TimeProvider time) =>
        new([new Source(this)], this, time, Options.Create(new DiscoveryOptions()), NullLogger<OrchestratorDiscovery>.Instance);

    public AiSessionManager Manager(TimeProvider time, SelectionOptions? selection = null, int seed = 1)
    {
        var state = TestSessions.Selection(selection ?? new SelectionOptions());
        return new AiSessionManager(
            Discovery(time), state, new SpeedTracker(state, time), new ConfiguredStakeReader(state), new Cooldowns(time), time,
            Options.Create(new DiscoveryOptions()), new Random(seed), new MaxPrices(TestSessions.Prices));
    }
}
