using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Networks.Chaos;
using LivepeerAspire.Network.Tests.Support;
using Xunit.Abstractions;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Chaos;

/// <summary>
/// The CI variant of the chaos experiment (issue 19): about a minute of modelled time on a paid network while a
/// handful of faults hit it (an orchestrator killed from outside and restarted through the AppHost, another frozen
/// with SIGSTOP, a hung runner, a 10× slowdown, an error burst, a mid-stream LLM stall). It asserts money, not
/// timings: every job a client received was debited once at the fee it was told, nothing else was debited, and the
/// ledger reconciles to the wei once every winner (also those the killed orchestrator held) is redeemed.
/// </summary>
[Collection(ChaosNetwork.Name)]
public sealed class ChaosRunTests(ChaosNetworkFixture network, ITestOutputHelper output)
{
    private const string Image = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a harbour in a storm","width":512,"height":512}""";
    private const string Chat = """{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"tell me about storms"}],"max_tokens":48,"stream":true}""";

    [Fact]
    public async Task A_paid_network_through_kills_freezes_and_runner_faults_loses_no_fee_charges_none_twice_and_reconciles_to_the_wei()
    {
        var targets = network.OrchestratorUrls.Keys.ToDictionary(
            o => o, o => (IReadOnlyList<ChaosGpu>)[new ChaosGpu($"{o}-gpu0", "text-to-image"), new ChaosGpu($"{o}-gpu1", "llm")], StringComparer.Ordinal);
        var schedule = Path.GetTempFileName();
        await File.WriteAllTextAsync(schedule, """
            {"faults":[
              {"at":"3s","for":"2s","kind":"kill","orchestrator":"o1"},
              {"at":"4s","for":"6s","kind":"slow","orchestrator":"o2"},
              {"at":"11s","for":"4s","kind":"stall","orchestrator":"o3"},
              {"at":"13s","for":"7s","kind":"freeze","orchestrator":"o2"},
              {"at":"19s","for":"5s","kind":"errors","orchestrator":"o1"},
              {"at":"22s","for":"4s","kind":"hang","orchestrator":"o3"}
            ]}
            """);
        var faults = ChaosSchedule.Load(schedule, targets);
        File.Delete(schedule);

        using var https = network.CreateClient();
        var accounts = new OrchestratorAccounts(https, network.OrchestratorUrls);
        await accounts.SampleAllAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        var before = accounts.AllTotals();
        var injector = new ChaosInjector(network.Network, new Uri(network.SimulatorUrl + "/"), https, accounts, targets, output.WriteLine);

        var jobs = new ConcurrentQueue<Job>();
        var start = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            using var client = network.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                var job = i % 2 == 0 ? await SendAsync(client, "/text-to-image", Image, stream: false) : await SendAsync(client, "/llm", Chat, stream: true);
                jobs.Enqueue(job with { Ended = Stopwatch.GetElapsedTime(start) });
            }
        })).ToList();
        IReadOnlyList<ChaosOutcome> outcomes;
        try
        {
            outcomes = await injector.RunAsync(faults, start, CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        foreach (var o in outcomes)
        {
            output.WriteLine($"{o.Fault}: ran {o.Started.TotalSeconds:0.0}–{o.Ended.TotalSeconds:0.0} s{(o.Healthy is { } h ? $", healthy again at {h.TotalSeconds:0.0} s" : "")}, {o.WinnersHeldAtKill.Count} winners held {o.Error}");
        }

        outcomes.ShouldAllBe(o => o.Error == null, "every fault ran: the kill was restarted through the AppHost");
        (await LedgerAudit.WaitForRedemptionsAsync(accounts, TimeSpan.FromMinutes(3), CancellationToken.None)).ShouldBeTrue("every winning ticket is redeemed once its params expire");
        var after = accounts.AllTotals();
        after["o1"].Lifetimes.ShouldBe(2, "o1 was killed once and restarted");

        var all = jobs.ToList();
        var delivered = all.Where(j => j.Delivered).GroupBy(j => network.OrchestratorName(j.Orchestrator))
            .ToDictionary(g => g.Key, g => ((long)g.Count(), g.Aggregate(BigInteger.Zero, (sum, j) => sum + j.Fee)), StringComparer.Ordinal);
        output.WriteLine($"{all.Count} jobs, {all.Count(j => j.Delivered)} delivered; failures: " +
            string.Join(" | ", all.Where(j => !j.Delivered).GroupBy(j => j.Error).Select(g => $"{g.Count()}× {g.Key}")));
        all.Count(j => j.Delivered).ShouldBeGreaterThan(20, "the network kept serving through the faults");
        all.Where(j => j.Delivered).ShouldAllBe(j => j.Fee > 0, "every delivered job was paid");

        var delta = after.ToDictionary(kv => kv.Key, kv => kv.Value - before[kv.Key], StringComparer.Ordinal);
        // A job answered in the instant between a kill's last reading of o1's counters and the SIGKILL was debited, but
        // its debit died unread with the process; the audit accepts a shortfall only if exactly such jobs explain it.
        // Likewise a job it answered and debited an instant before the SIGKILL can lose its answer with the connection.
        IReadOnlyDictionary<string, IReadOnlyList<BigInteger>> AtKills(bool wasDelivered) => outcomes.Where(o => o.KillWindow is not null).ToDictionary(
            o => o.Fault.Orchestrator, o => (IReadOnlyList<BigInteger>)all
                .Where(j => j.Delivered == wasDelivered && j.Fee > 0 && j.Orchestrator.Length > 0 && network.OrchestratorName(j.Orchestrator) == o.Fault.Orchestrator
                    && j.Ended >= o.KillWindow!.Value.From && j.Ended <= o.KillWindow.Value.To + LedgerAudit.AnswerInFlight)
                .Select(j => j.Fee).ToList());
        var checks = LedgerAudit.JobChecks(delta, delivered, AtKills(wasDelivered: true), AtKills(wasDelivered: false))
            .Concat((await LedgerAudit.RunAsync(network.Network.RunDirectory, BigInteger.Parse("1000000000", CultureInfo.InvariantCulture), after,
                outcomes, CancellationToken.None)).Checks)
            .ToList();
        foreach (var check in checks)
        {
            output.WriteLine($"{(check.Ok ? "ok    " : "FAILED")} {check.Name}: {check.Detail}");
        }

        checks.Where(c => !c.Ok).Select(c => $"{c.Name}: {c.Detail}").ShouldBeEmpty();
    }

    private sealed record Job(bool Delivered, string Orchestrator, BigInteger Fee, string Error)
    {
        public TimeSpan Ended { get; init; }
    }

    /// <summary>One job; delivered means the client got the whole answer (for a stream: up to a finish_reason, with no error event).</summary>
    private static async Task<Job> SendAsync(HttpClient client, string route, string body, bool stream)
    {
        try
        {
            using var response = await client.PostAsync(route, Json(body));
            var text = await response.Content.ReadAsStringAsync();
            var orchestrator = response.Headers.TryGetValues("Livepeer-Orchestrator", out var o) ? o.Single() : "";
            var fee = response.Headers.TryGetValues("Livepeer-Fee", out var f) ? BigInteger.Parse(f.Single(), CultureInfo.InvariantCulture) : BigInteger.Zero;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new Job(false, orchestrator, fee, $"{(int)response.StatusCode}");
            }

            if (stream)
            {
                var events = text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim()).Where(d => d != "[DONE]").ToList();
                var finished = events.Any(d => JsonDocument.Parse(d).RootElement is var e && e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0
                    && c[0].TryGetProperty("finish_reason", out var r) && r.ValueKind == JsonValueKind.String);
                if (!finished || events.Any(d => JsonDocument.Parse(d).RootElement.TryGetProperty("error", out _)))
                {
                    return new Job(false, orchestrator, fee, "stream broke");
                }
            }

            return new Job(true, orchestrator, fee, "");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return new Job(false, "", BigInteger.Zero, e.GetType().Name);
        }
    }
}
