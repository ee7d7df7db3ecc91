using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Tests.Shared;
using Xunit.Abstractions;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.ScaleOut;

/// <summary>
/// Three paid gateway replicas behind one address, sharing one ETH account through Redis: a burst of 300 jobs with no
/// ticket error and a ledger that reconciles to the wei; an async job taken by one replica and fetched from another;
/// Redis killed and back, and a replica killed, while jobs keep flowing through the one address.
/// </summary>
[Collection(ScaleOutNetwork.Name)]
public sealed class ScaleOutTests(ScaleOutNetworkFixture network, ITestOutputHelper output)
{
    private const string ImageModel = "SG161222/RealVisXL_V4.0_Lightning";
    private const string ReplicaHeader = "Livepeer-Gateway-Replica";

    private static StringContent ImageJob(int i) => Json($$"""{"model_id":"{{ImageModel}}","prompt":"scale-out picture {{i}}","width":512,"height":512}""");

    [Fact]
    public async Task Three_hundred_paid_jobs_at_once_through_one_address_get_no_ticket_error_and_the_ledger_reconciles_exactly()
    {
        var before = await StatusesAsync();
        var sharedParamsBefore = await network.RedisKeyCountAsync("livepeer-gateway:nonce:*");
        using var client = network.CreateClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async i =>
        {
            using var response = await client.PostAsync("/text-to-image", ImageJob(i));
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, Body: body, Replica: Header(response, ReplicaHeader), Orchestrator: Header(response, "Livepeer-Orchestrator"),
                Fee: Header(response, "Livepeer-Fee"));
        }));

        responses.Where(r => r.StatusCode != HttpStatusCode.OK).Select(r => $"{(int)r.StatusCode} {r.Body}").ShouldBeEmpty();
        responses.Select(r => r.Replica).Distinct().Order().ShouldBe(network.Replicas.Keys.Order(), "the front door spreads the burst over every replica");
        var served = responses.Select(r => (Orchestrator: network.OrchestratorName(r.Orchestrator!), Fee: BigInteger.Parse(r.Fee!, CultureInfo.InvariantCulture))).ToList();
        await ReconcilesAsync(before, served);
        // Params are refreshed every 2.5 s here, once for all replicas: the burst paid on params shared in Redis, whose
        // nonces only Redis hands out (one counter per shared params).
        (await network.RedisKeyCountAsync("livepeer-gateway:nonce:*")).ShouldBeGreaterThan(sharedParamsBefore);
    }

    [Fact]
    public async Task An_async_image_to_video_job_taken_by_one_replica_is_fetched_through_another()
    {
        var urls = network.Replicas.OrderBy(r => r.Key).Select(r => r.Value).ToList();
        using var first = network.CreateClient(urls[0]);
        using var second = network.CreateClient(urls[1]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/image-to-video")
        {
            Content = Multipart(TestImages.Encode(".png", 64, 64), "image", "start.png", ("width", "256"), ("height", "256")),
        };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        using var accepted = await first.SendAsync(request);
        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        var id = (await accepted.JsonAsync()).GetProperty("request_id").GetString()!;

        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var result = await second.PostAsync("/image-to-video/result", Json($$"""{"request_id":"{{id}}"}"""));
            var body = await result.Content.ReadAsStringAsync();
            // Never 404: the replica that did not take the job knows it from the first moment, through Redis.
            result.StatusCode.ShouldBeOneOf([HttpStatusCode.Accepted, HttpStatusCode.OK], body);
            if (result.StatusCode == HttpStatusCode.OK)
            {
                var done = JsonDocument.Parse(body).RootElement;
                done.GetProperty("status").GetString().ShouldBe("complete");
                done.GetProperty("result").TryGetProperty("error", out var error).ShouldBeFalse(error.ToString());
                done.GetProperty("result").GetProperty("images").GetArrayLength().ShouldBeGreaterThan(0);
                break;
            }

            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(3), "the async job did not finish");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task With_Redis_killed_and_back_the_replicas_keep_serving_paid_jobs_without_reusing_a_nonce()
    {
        var before = await StatusesAsync();
        using var load = new Load(network.CreateClient(), workers: 6);
        try
        {
            await load.UntilAsync(30);
            using (var redis = network.ProcessOf("redis"))
            {
                redis.ProcessName.ShouldContain("redis", Case.Insensitive);
                redis.Kill();
                await redis.WaitForExitAsync();
            }

            var down = load.Completed;
            await load.UntilAsync(down + 60);
            output.WriteLine($"{load.Completed - down} jobs while Redis was down");
            await network.RestartAsync("redis");
            var back = load.Completed;
            await load.UntilAsync(back + 60);
        }
        finally
        {
            await network.RestartAsync("redis");
            await load.StopAsync();
        }

        load.Failures.ShouldBeEmpty();
        await ReconcilesAsync(before, load.Served.Select(s => (network.OrchestratorName(s.Orchestrator), s.Fee)).ToList());
    }

    [Fact]
    public async Task With_a_replica_killed_the_others_keep_serving_on_the_same_address()
    {
        using var load = new Load(network.CreateClient(), workers: 6);
        var victim = network.Replicas.Keys.Order().Last();
        int servedAtKill;
        try
        {
            await load.UntilAsync(30);
            using (var process = network.ProcessOf(victim))
            {
                process.ProcessName.ShouldContain("Gateway", Case.Insensitive);
                process.Kill();
                await process.WaitForExitAsync();
            }

            servedAtKill = load.Served.Count;
            await load.UntilAsync(load.Completed + 90);
        }
        finally
        {
            await load.StopAsync();
            await network.RestartAsync(victim);
            await network.WaitUntilServingAsync(victim);
        }

        // Jobs in flight on the killed replica may fail, cleanly: a 502 from the front door with a JSON reason. Jobs sent
        // to it after it died (before the health probe noticed) could not connect and went to another replica.
        foreach (var failure in load.Failures)
        {
            failure.Status.ShouldBe(HttpStatusCode.BadGateway, failure.Body);
            failure.Body.ShouldContain("failed before answering");
        }

        load.Failures.Count.ShouldBeLessThanOrEqualTo(6, "at most the jobs in flight when it died");
        // After the kill every job was served by the two survivors, through the same address.
        var afterKill = load.Served.Skip(servedAtKill + 6).ToList();
        afterKill.Count.ShouldBeGreaterThan(60);
        afterKill.ShouldAllBe(s => s.Replica != victim);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private async Task<Dictionary<string, JsonElement>> StatusesAsync()
    {
        var result = new Dictionary<string, JsonElement>();
        foreach (var (name, url) in network.OrchestratorUrls)
        {
            using var client = network.CreateClient(url);
            result[name] = JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement.Clone();
        }

        return result;
    }

    private static BigInteger Wei(JsonElement payments, string name) => BigInteger.Parse(payments.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    /// <summary>
    /// No orchestrator refused a payment (a reused nonce is refused), every winner was redeemed, the gateway account's
    /// deposit and reserve went down by exactly the redeemed face values, and each job served was debited once, at its fee.
    /// </summary>
    private async Task ReconcilesAsync(Dictionary<string, JsonElement> before, IReadOnlyList<(string Orchestrator, BigInteger Fee)> served)
    {
        var after = await LedgerReconciliation.AfterRedemptionsAsync(StatusesAsync);
        var ledger = SqliteLedger.Open(network.LedgerConnection);
        var redemptions = await LedgerReconciliation.GatewaySpendIsRedeemedFaceValueAsync(ledger, network.GatewayDataDir);

        foreach (var (name, status) in after)
        {
            var payments = status.GetProperty("payments");
            var was = before[name].GetProperty("payments");
            (payments.GetProperty("paymentsRefused").GetInt64() - was.GetProperty("paymentsRefused").GetInt64()).ShouldBe(0, $"{name} refused payments (a reused nonce is one)");
            payments.GetProperty("pendingRedemptions").GetInt32().ShouldBe(0, name);
            payments.GetProperty("failedRedemptions").GetInt64().ShouldBe(0, name);
            payments.GetProperty("ticketsRedeemed").GetInt64().ShouldBe(payments.GetProperty("winningTickets").GetInt64(), name);
            var address = EthAddress.Parse(status.GetProperty("address").GetString()!);
            var mine = LedgerReconciliation.FaceValue(redemptions.Where(r => r.Recipient == address));
            Wei(payments, "redeemedFaceValueWei").ShouldBe(mine, name);
            (await ledger.GetOrchestratorAsync(address))!.FeesEarned.ShouldBe(mine, name);

            var jobsHere = served.Where(s => s.Orchestrator == name).ToList();
            (status.GetProperty("jobsServed").GetInt64() - before[name].GetProperty("jobsServed").GetInt64()).ShouldBe(jobsHere.Count, name);
            (Wei(payments, "feesDebitedWei") - Wei(was, "feesDebitedWei")).ShouldBe(jobsHere.Aggregate(BigInteger.Zero, (sum, s) => sum + s.Fee), name);
            Wei(payments, "creditedWei").ShouldBeGreaterThanOrEqualTo(Wei(payments, "feesDebitedWei"), name);
        }
    }

    /// <summary>Paid text-to-image jobs sent back to back by a few workers through the front door until stopped.</summary>
    private sealed class Load : IDisposable
    {
        private readonly HttpClient client;
        private readonly CancellationTokenSource stop = new();
        private readonly Task[] workers;
        private int next;

        public Load(HttpClient client, int workers)
        {
            this.client = client;
            this.workers = Enumerable.Range(0, workers).Select(_ => Task.Run(RunAsync)).ToArray();
        }

        public ConcurrentQueue<(string Replica, string Orchestrator, BigInteger Fee)> Served { get; } = new();

        public ConcurrentQueue<(HttpStatusCode Status, string Body)> Failures { get; } = new();

        public int Completed => Served.Count + Failures.Count;

        public async Task UntilAsync(int completed)
        {
            var clock = Stopwatch.StartNew();
            while (Completed < completed)
            {
                clock.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(4), $"only {Completed} of {completed} jobs finished");
                await Task.Delay(50);
            }
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        public void Dispose()
        {
            stop.Cancel();
            client.Dispose();
            stop.Dispose();
        }

        private async Task RunAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // A job once sent is waited for, so every job an orchestrator served is counted here too.
                    using var response = await client.PostAsync("/text-to-image", ImageJob(Interlocked.Increment(ref next)));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Served.Enqueue((Header(response, ReplicaHeader)!, Header(response, "Livepeer-Orchestrator")!,
                            BigInteger.Parse(Header(response, "Livepeer-Fee")!, CultureInfo.InvariantCulture)));
                    }
                    else
                    {
                        Failures.Enqueue((response.StatusCode, body));
                    }
                }
                catch (HttpRequestException e)
                {
                    Failures.Enqueue((0, e.Message));
                }
            }
        }
    }
}
