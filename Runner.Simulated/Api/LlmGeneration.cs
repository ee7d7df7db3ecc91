using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Faults;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Runner.Simulated.Media;
using LivepeerAspire.Runner.Simulated.Timing;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>
/// One simulated chat generation shared by the ai-runner /llm route and Ollama's /api/chat: prompt tokens,
/// answer length (deterministic from seed and prompt, cut by the token limit), prefill at the GPU's prefill
/// rate, then tokens at its decode rate, with the stall fault stopping the stream after a few tokens.
/// </summary>
public sealed class LlmGeneration
{
    private readonly SimulatedGpu gpu;
    private readonly ulong key;
    private readonly double prefillPerSecond;
    private readonly double decodePerSecond;

    public LlmGeneration(SimulatedGpu gpu, IReadOnlyList<LlmMessage> messages, int? limit)
    {
        this.gpu = gpu;
        PromptTokens = FillerText.CountTokens(messages.Select(m => m.Content ?? ""));
        key = FillerText.Hash(gpu.FleetSeed, string.Join("\n", messages.Select(m => $"{m.Role}:{m.Content}")));
        var natural = FillerText.NaturalLength(key);
        CompletionTokens = limit is > 0 && limit < natural ? limit.Value : natural;
        FinishReason = CompletionTokens < natural ? "length" : "stop";
        (prefillPerSecond, decodePerSecond) = ServiceTimes.Llm(gpu.Config);
    }

    public int PromptTokens { get; }

    public int CompletionTokens { get; }

    /// <summary>"length" when the limit cut the answer short (as OpenAI and Ollama say), otherwise "stop".</summary>
    public string FinishReason { get; }

    public TimeSpan PromptEvalDuration { get; private set; }

    public TimeSpan EvalDuration { get; private set; }

    public string Token(int index) => FillerText.Token(key, index);

    public string Text => string.Concat(Enumerable.Range(0, CompletionTokens).Select(Token));

    public async Task PrefillAsync(GpuLease lease, CancellationToken ct)
    {
        var before = lease.ServiceDuration;
        await lease.WorkAsync(TimeSpan.FromSeconds(PromptTokens / prefillPerSecond), ct);
        PromptEvalDuration = lease.ServiceDuration - before;
    }

    /// <summary>Decodes token <paramref name="index"/>; a stall fault hangs here once enough tokens were sent.</summary>
    public async Task DecodeAsync(GpuLease lease, int index, CancellationToken ct)
    {
        if (gpu.CurrentFault is { Kind: FaultKinds.Stall } stall && index >= (stall.Spec.AfterTokens ?? FaultKinds.DefaultStallAfterTokens))
        {
            await gpu.HangAsync(ct);
        }

        var before = lease.ServiceDuration;
        await lease.WorkAsync(TimeSpan.FromSeconds(1 / decodePerSecond), ct);
        EvalDuration += lease.ServiceDuration - before;
    }

    /// <summary>Decodes the whole answer (non-streaming), in blocks so batching changes are seen as they happen.</summary>
    public async Task DecodeAllAsync(GpuLease lease, CancellationToken ct)
    {
        const int block = 16;
        for (var done = 0; done < CompletionTokens; done += block)
        {
            var n = Math.Min(block, CompletionTokens - done);
            var before = lease.ServiceDuration;
            await lease.WorkAsync(TimeSpan.FromSeconds(n / decodePerSecond), ct);
            EvalDuration += lease.ServiceDuration - before;
        }
    }
}
