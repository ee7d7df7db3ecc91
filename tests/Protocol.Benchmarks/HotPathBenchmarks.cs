using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Protocol.Benchmarks;

/// <summary>
/// Reading a JSON job body into its pipeline contract's units: what the gateway and the orchestrator both do with
/// every job (the gateway's own per-job work besides payments and selection).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class BodyParseBenchmarks
{
    private static readonly byte[] TextToImageBody = Encoding.UTF8.GetBytes(
        """{"model_id":"stabilityai/sdxl-turbo","prompt":"a lighthouse at dusk, oil on canvas","width":1024,"height":1024,"num_inference_steps":6,"num_images_per_prompt":1}""");

    private static readonly byte[] LlmBody = Encoding.UTF8.GetBytes(
        """{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Name three lighthouses."}],"max_tokens":256,"stream":true}""");

    [Benchmark]
    public async Task<double> ParseTextToImageBody() => await MeasureAsync(PipelineCatalog.TextToImage, TextToImageBody, "stabilityai/sdxl-turbo");

    [Benchmark]
    public async Task<double> ParseLlmBody() => await MeasureAsync(PipelineCatalog.Llm, LlmBody, "meta-llama/Meta-Llama-3.1-8B-Instruct");

    private static async Task<double> MeasureAsync(Pipeline pipeline, byte[] body, string model)
    {
        using var document = JsonDocument.Parse(body);
        var units = await PipelineContract.For(pipeline).MeasureAsync(JobInput.FromJson(document.RootElement), model, CancellationToken.None);
        return units.Work;
    }
}

/// <summary>One selection among 16 warm orchestrators with learned speeds, by each strategy.</summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class SelectionBenchmarks
{
    private readonly Dictionary<string, ISelectionStrategy> strategies = new()
    {
        [RoundRobinStrategy.StrategyName] = new RoundRobinStrategy(),
        [StakePriceLatencyStrategy.StrategyName] = new StakePriceLatencyStrategy(),
        [AdaptiveStrategy.StrategyName] = new AdaptiveStrategy(),
    };

    private List<AiSession> candidates = [];
    private SelectionContext context = null!;

    [Params("round-robin", "stake-price-latency", "adaptive")]
    public string Strategy { get; set; } = "round-robin";

    [GlobalSetup]
    public void Setup()
    {
        var pipeline = PipelineCatalog.TextToImage;
        const string model = "stabilityai/sdxl-turbo";
        var options = new SelectionOptions { Strategy = Strategy, Seed = 1 };
        var selection = new StrategySelector(strategies.Values, Options.Create(options));
        var speeds = new SpeedTracker(selection, TimeProvider.System);
        candidates = [.. Enumerable.Range(0, 16).Select(i => Session($"https://127.0.0.1:{9000 + i}", pipeline, model, price: 1000 + (i * 37), address: (byte)(i + 1)))];
        foreach (var (session, i) in candidates.Select((s, i) => (s, i)))
        {
            speeds.Record(session.Key, new PipelineModel(pipeline, model), TimeSpan.FromMilliseconds(400 + (i * 50)), 1);
        }

        context = new SelectionContext(pipeline, model, 1, TimeSpan.FromSeconds(60), options, new Random(1), speeds, new ConfiguredStakeReader(selection))
        {
            Pool = candidates,
        };
    }

    [Benchmark]
    public AiSession? Select() => strategies[Strategy].Select(candidates, context).Session;

    private static AiSession Session(string url, Pipeline pipeline, string model, long price, byte address)
    {
        var info = new OrchestratorInfo
        {
            Transcoder = url,
            Address = ByteString.CopyFrom(Enumerable.Repeat(address, 20).ToArray()),
            PriceInfo = new PriceInfo { PricePerUnit = price, PixelsPerUnit = 1 },
            Capabilities = new Capabilities { Constraints = new Capabilities.Types.Constraints() },
        };
        var perCapability = new Capabilities.Types.CapabilityConstraints();
        perCapability.Models[model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint { Warm = true, Capacity = 4 };
        info.Capabilities.Constraints.PerCapability[(uint)pipeline.CapabilityId] = perCapability;
        return new AiSession(new DiscoveredOrchestrator(new Uri(url), info, TimeSpan.FromMilliseconds(5)), pipeline, model, warm: true);
    }
}
