namespace LivepeerAspire.LoadTests.Reports;

/// <summary>The metric definitions every report states, because tools disagree on them (vLLM vs GuideLLM vs LLMPerf).</summary>
internal static class Definitions
{
    public static IReadOnlyList<(string Term, string Meaning)> All { get; } =
    [
        ("Latency", "end-to-end, from the request's *intended* send time (open model: its slot in the seeded schedule) to the last byte of the answer; a stalled target or a late generator therefore shows in the tail instead of disappearing (no coordinated omission). Stats are over successful requests; failures are counted separately. Closed model (keep-constant): the intended time is the actual send time, which understates the tail."),
        ("Service time", "from the actual send time to the last byte (what a closed-loop tool reports)."),
        ("Percentiles", "nearest-rank: pN is the smallest observed value x with at least N % of the samples ≤ x (sorted[ceil(N/100·n)−1]); p99.9 needs ≥ 1000 samples to differ from the maximum."),
        ("StdDev", "sample standard deviation (n−1)."),
        ("TTFT", "time to first token: from the intended send time to the first SSE chunk with non-empty delta content (streamed LLM jobs)."),
        ("ITL", "inter-token latency: every gap between consecutive content chunks after the first, pooled over requests (vLLM's ITL; one chunk may carry several tokens)."),
        ("TPOT", "time per output token after the first: (latency − TTFT) / (tokens − 1), vLLM's convention (GuideLLM includes the first token)."),
        ("Tokens", "usage.completion_tokens of the last chunk, or the number of content chunks when usage is absent."),
        ("RPS", "requests (any outcome) with an intended time in the measured phase ÷ its length; warm-up requests are excluded from every figure."),
        ("Target vs achieved", "target = requests in the seeded schedule's measured phase ÷ its seconds (for poisson this differs from the nominal rate by chance); achieved = requests actually sent ÷ (time from the start of the measured phase to the last actual send + one planned gap). The generator is flagged overloaded when achieved < 95 % of target, p99 send lag > 100 ms, or any request was not sent."),
        ("Goodput", "successful requests that meet every SLO bound, per second (vLLM/DistServe definition)."),
        ("Timeout", "no complete answer within the request timeout, or still in flight when the run ended; such requests are failures, never dropped."),
        ("Cost", "sum of the gateway's Livepeer-Fee headers (wei) ÷ jobs, and ÷ successful jobs."),
        ("Share", "fraction of the measured requests answered by an orchestrator (Livepeer-Orchestrator header; \"(none)\" when the gateway named none, e.g. it failed before selecting)."),
    ];
}
