using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Observability;

/// <summary>
/// Request counters and latency/TTFT histograms, exposed as Prometheus text at /metrics, summarised for the
/// dashboard at /stats, and mirrored to the <c>LivepeerAspire.Gateway</c> meter for OTLP export.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "LivepeerAspire.Gateway";
    private static readonly double[] Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
    private const int RecentCapacity = 10_000;

    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Dictionary<(string Pipeline, int Status, string Orchestrator), long> requests = [];
    private readonly Dictionary<(string Pipeline, string Reason), long> failovers = [];
    private readonly Dictionary<string, long> hedges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> chunksPaid = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Pipeline, string Reason), (long Count, double Seconds, System.Numerics.BigInteger Wei)> abandoned = [];
    private readonly Dictionary<(string Pipeline, string Exit), long> queueExits = [];
    private Func<IReadOnlyList<(PipelineModel Target, int Waiting)>> queueLengths = () => [];
    private readonly Dictionary<string, Histogram> latency = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Histogram> ttft = new(StringComparer.Ordinal);
    private readonly Queue<Completed> recent = new();
    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> requestCounter;
    private readonly Counter<long> failoverCounter;
    private readonly Histogram<double> latencyHistogram;

    public GatewayMetrics(TimeProvider time)
    {
        this.time = time;
        requestCounter = meter.CreateCounter<long>("livepeer.gateway.requests");
        failoverCounter = meter.CreateCounter<long>("livepeer.gateway.failovers");
        latencyHistogram = meter.CreateHistogram<double>("livepeer.gateway.request.duration", "s");
        meter.CreateObservableGauge(
            "livepeer.gateway.queue.waiting",
            () => queueLengths().Select(l => new Measurement<int>(l.Waiting, new("pipeline", l.Target.Pipeline.Name), new("model", l.Target.ModelId))),
            description: "Jobs waiting for a free orchestrator slot.");
    }

    /// <summary>Where the capacity queue's lengths come from, for /metrics and the meter.</summary>
    public void ObserveQueue(Func<IReadOnlyList<(PipelineModel Target, int Waiting)>> lengths) => queueLengths = lengths;

    /// <summary>A job left the capacity queue: woken, full, expired or cancelled.</summary>
    public void QueueExit(string pipeline, string exit)
    {
        lock (gate)
        {
            queueExits[(pipeline, exit)] = queueExits.GetValueOrDefault((pipeline, exit)) + 1;
        }
    }

    public sealed record Completed(DateTimeOffset At, string Pipeline, int Status, string Orchestrator, double Seconds, double? TtftSeconds, int Attempts);

    public void Request(string pipeline, int status, string? orchestrator, TimeSpan took, TimeSpan? timeToFirstToken, int attempts)
    {
        var orch = orchestrator ?? "";
        lock (gate)
        {
            requests[(pipeline, status, orch)] = requests.GetValueOrDefault((pipeline, status, orch)) + 1;
            Get(latency, pipeline).Observe(took.TotalSeconds);
            if (timeToFirstToken is { } t)
            {
                Get(ttft, pipeline).Observe(t.TotalSeconds);
            }

            recent.Enqueue(new Completed(time.GetUtcNow(), pipeline, status, orch, took.TotalSeconds, timeToFirstToken?.TotalSeconds, attempts));
            while (recent.Count > RecentCapacity)
            {
                recent.Dequeue();
            }
        }

        requestCounter.Add(1, new("pipeline", pipeline), new("status", status), new("orchestrator", orch));
        latencyHistogram.Record(took.TotalSeconds, new KeyValuePair<string, object?>("pipeline", pipeline));
    }

    public void Failover(string pipeline, string reason)
    {
        lock (gate)
        {
            failovers[(pipeline, reason)] = failovers.GetValueOrDefault((pipeline, reason)) + 1;
        }

        failoverCounter.Add(1, new("pipeline", pipeline), new("reason", reason));
    }

    /// <summary>Pay per progress: one chunk payment the orchestrator accepted.</summary>
    public void ChunkPaid(string pipeline)
    {
        lock (gate)
        {
            chunksPaid[pipeline] = chunksPaid.GetValueOrDefault(pipeline) + 1;
        }
    }

    /// <summary>
    /// An attempt that ran and did not deliver (both modes): why, how long it took to give it up, and the wei paid for it.
    /// </summary>
    public void AttemptAbandoned(string pipeline, string reason, TimeSpan took, System.Numerics.BigInteger paidWei)
    {
        lock (gate)
        {
            var (count, seconds, wei) = abandoned.GetValueOrDefault((pipeline, reason));
            abandoned[(pipeline, reason)] = (count + 1, seconds + took.TotalSeconds, wei + paidWei);
        }
    }

    public void Hedge(string pipeline)
    {
        lock (gate)
        {
            hedges[pipeline] = hedges.GetValueOrDefault(pipeline) + 1;
        }
    }

    public IReadOnlyList<Completed> Recent()
    {
        lock (gate)
        {
            return recent.ToList();
        }
    }

    public long TotalFailovers()
    {
        lock (gate)
        {
            return failovers.Values.Sum();
        }
    }

    public string Prometheus()
    {
        var s = new StringBuilder();
        lock (gate)
        {
            s.Append("# HELP livepeer_gateway_requests_total Jobs answered, by pipeline, HTTP status and orchestrator.\n");
            s.Append("# TYPE livepeer_gateway_requests_total counter\n");
            foreach (var ((pipeline, status, orch), count) in requests.OrderBy(r => r.Key.Pipeline).ThenBy(r => r.Key.Status).ThenBy(r => r.Key.Orchestrator))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_requests_total{{pipeline=\"{Esc(pipeline)}\",status=\"{status}\",orchestrator=\"{Esc(orch)}\"}} {count}\n");
            }

            s.Append("# HELP livepeer_gateway_failovers_total Failed attempts that moved a job on, by reason.\n");
            s.Append("# TYPE livepeer_gateway_failovers_total counter\n");
            foreach (var ((pipeline, reason), count) in failovers.OrderBy(f => f.Key.Pipeline).ThenBy(f => f.Key.Reason))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_failovers_total{{pipeline=\"{Esc(pipeline)}\",reason=\"{Esc(reason)}\"}} {count}\n");
            }

            s.Append("# HELP livepeer_gateway_hedges_total Hedged second attempts.\n");
            s.Append("# TYPE livepeer_gateway_hedges_total counter\n");
            foreach (var (pipeline, count) in hedges.OrderBy(h => h.Key))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_hedges_total{{pipeline=\"{Esc(pipeline)}\"}} {count}\n");
            }

            s.Append("# HELP livepeer_gateway_queue_waiting Jobs waiting for a free orchestrator slot, by pipeline and model.\n");
            s.Append("# TYPE livepeer_gateway_queue_waiting gauge\n");
            foreach (var (target, waiting) in queueLengths())
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_queue_waiting{{pipeline=\"{Esc(target.Pipeline.Name)}\",model=\"{Esc(target.ModelId)}\"}} {waiting}\n");
            }

            s.Append("# HELP livepeer_gateway_queue_exits_total Waits in the capacity queue, by how they ended (Woken, Full, Expired, Cancelled).\n");
            s.Append("# TYPE livepeer_gateway_queue_exits_total counter\n");
            foreach (var ((pipeline, exit), count) in queueExits.OrderBy(q => q.Key.Pipeline).ThenBy(q => q.Key.Exit))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_queue_exits_total{{pipeline=\"{Esc(pipeline)}\",exit=\"{Esc(exit)}\"}} {count}\n");
            }

            s.Append("# HELP livepeer_gateway_progress_chunks_paid_total Pay per progress: chunk payments the orchestrators accepted.\n");
            s.Append("# TYPE livepeer_gateway_progress_chunks_paid_total counter\n");
            foreach (var (pipeline, count) in chunksPaid.OrderBy(c => c.Key))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_progress_chunks_paid_total{{pipeline=\"{Esc(pipeline)}\"}} {count}\n");
            }

            s.Append("# HELP livepeer_gateway_abandoned_attempts_total Attempts that ran and did not deliver, by reason (timeout, error, too_slow, stalled, protocol, payment, orchestrator, client).\n");
            s.Append("# TYPE livepeer_gateway_abandoned_attempts_total counter\n");
            foreach (var ((pipeline, reason), value) in abandoned.OrderBy(a => a.Key.Pipeline).ThenBy(a => a.Key.Reason))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_abandoned_attempts_total{{pipeline=\"{Esc(pipeline)}\",reason=\"{Esc(reason)}\"}} {value.Count}\n");
            }

            s.Append("# HELP livepeer_gateway_detect_seconds_total Time from an abandoned attempt's start to giving it up, summed.\n");
            s.Append("# TYPE livepeer_gateway_detect_seconds_total counter\n");
            foreach (var ((pipeline, reason), value) in abandoned.OrderBy(a => a.Key.Pipeline).ThenBy(a => a.Key.Reason))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_detect_seconds_total{{pipeline=\"{Esc(pipeline)}\",reason=\"{Esc(reason)}\"}} {value.Seconds:0.######}\n");
            }

            s.Append("# HELP livepeer_gateway_abandoned_fee_wei_total Wei paid for attempts that did not deliver.\n");
            s.Append("# TYPE livepeer_gateway_abandoned_fee_wei_total counter\n");
            foreach (var ((pipeline, reason), value) in abandoned.OrderBy(a => a.Key.Pipeline).ThenBy(a => a.Key.Reason))
            {
                s.Append(CultureInfo.InvariantCulture, $"livepeer_gateway_abandoned_fee_wei_total{{pipeline=\"{Esc(pipeline)}\",reason=\"{Esc(reason)}\"}} {value.Wei}\n");
            }

            WriteHistograms(s, "livepeer_gateway_request_duration_seconds", "Job latency as the client saw it.", latency);
            WriteHistograms(s, "livepeer_gateway_ttft_seconds", "Time to first token of streamed LLM jobs.", ttft);
        }

        return s.ToString();
    }

    public void Dispose() => meter.Dispose();

    private static void WriteHistograms(StringBuilder s, string name, string help, Dictionary<string, Histogram> histograms)
    {
        s.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        s.Append("# TYPE ").Append(name).Append(" histogram\n");
        foreach (var (pipeline, h) in histograms.OrderBy(h => h.Key))
        {
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += h.Counts[i];
                s.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{pipeline=\"{Esc(pipeline)}\",le=\"{Buckets[i]}\"}} {cumulative}\n");
            }

            s.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{pipeline=\"{Esc(pipeline)}\",le=\"+Inf\"}} {h.Count}\n");
            s.Append(CultureInfo.InvariantCulture, $"{name}_sum{{pipeline=\"{Esc(pipeline)}\"}} {h.Sum}\n");
            s.Append(CultureInfo.InvariantCulture, $"{name}_count{{pipeline=\"{Esc(pipeline)}\"}} {h.Count}\n");
        }
    }

    private static Histogram Get(Dictionary<string, Histogram> map, string key)
    {
        if (!map.TryGetValue(key, out var h))
        {
            map[key] = h = new Histogram();
        }

        return h;
    }

    private static string Esc(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed class Histogram
    {
        public long[] Counts { get; } = new long[Buckets.Length];

        public long Count { get; private set; }

        public double Sum { get; private set; }

        public void Observe(double value)
        {
            Count++;
            Sum += value;
            var i = Array.FindIndex(Buckets, b => value <= b);
            if (i >= 0)
            {
                Counts[i]++;
            }
        }
    }
}
