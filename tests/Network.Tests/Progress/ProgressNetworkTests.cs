using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Progress;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Progress;

/// <summary>The paid network of <c>topologies/progress.json</c>: pay per progress on, every 5 steps.</summary>
public sealed class ProgressNetworkFixture() : TopologyNetworkFixture("progress.json")
{
    public string LedgerConnection => $"Data Source={Path.Combine(Network.RunDirectory, "ledger.db")}";

    public string GatewayDataDir => Path.Combine(Network.RunDirectory, "gateway", "data");
}

[CollectionDefinition(Name)]
public sealed class ProgressNetwork : ICollectionFixture<ProgressNetworkFixture>
{
    public const string Name = "Progress network";
}

/// <summary>
/// Pay per progress through the real processes with tickets on the ledger: each job is paid chunk by chunk, each
/// chunk debited once, a client that leaves stops its job, and the ledger reconciles exactly.
/// </summary>
[Collection(ProgressNetwork.Name)]
public sealed class ProgressNetworkTests(ProgressNetworkFixture network)
{
    private const string VideoModel = "stabilityai/stable-video-diffusion-img2vid-xt-1-1";
    private const string ImageModel = "stabilityai/stable-diffusion-xl-base-1.0";
    private static readonly byte[] InputImage = SyntheticPng.Encode(64, 48, seed: 3);

    private static readonly Dictionary<(string, string), long> Prices = new()
    {
        [("o1", "image-to-video")] = 7,
        [("o1", "text-to-image")] = 10_000,
        [("o2", "text-to-image")] = 12_000,
    };

    private static readonly Dictionary<string, long> Units = new()
    {
        ["image-to-video"] = 512L * 288 * 25,
        ["text-to-image"] = 512L * 512,
    };

    private async Task<Dictionary<string, JsonElement>> StatusesAsync()
    {
        var statuses = new Dictionary<string, JsonElement>();
        foreach (var name in network.OrchestratorUrls.Keys)
        {
            statuses[name] = await StatusAsync(name);
        }

        return statuses;
    }

    private async Task<JsonElement> StatusAsync(string orchestrator)
    {
        using var client = network.CreateClient(network.OrchestratorUrls[orchestrator]);
        return JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement.Clone();
    }

    private static BigInteger Wei(JsonElement payments, string name) => BigInteger.Parse(payments.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static HttpRequestMessage Request(string pipeline, int i, bool events)
    {
        var request = pipeline == "image-to-video"
            ? new HttpRequestMessage(HttpMethod.Post, "/image-to-video")
            {
                Content = Multipart(InputImage, "image", "start.png", ("model_id", VideoModel), ("width", "512"), ("height", "288"), ("seed", i.ToString(CultureInfo.InvariantCulture))),
            }
            : new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = Json($$"""{"model_id":"{{ImageModel}}","prompt":"picture {{i}}","num_inference_steps":12}""") };
        if (events)
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
        }

        return request;
    }

    [Fact]
    public async Task Paid_chunk_by_chunk_every_job_costs_its_plain_fee_a_client_that_leaves_stops_its_job_and_the_ledger_reconciles()
    {
        var names = network.OrchestratorUrls.Keys.Order().ToList();
        var before = new Dictionary<string, JsonElement>();
        foreach (var name in names)
        {
            before[name] = await StatusAsync(name);
        }

        var jobs = Enumerable.Repeat("image-to-video", 6).Concat(Enumerable.Repeat("text-to-image", 10)).Select((p, i) => (Pipeline: p, Index: i)).ToList();
        var served = new ConcurrentBag<(string Orchestrator, string Pipeline, BigInteger Fee)>();
        using var client = network.CreateClient();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (job, ct) =>
        {
            var events = job.Index % 2 == 0;
            using var response = await client.SendAsync(Request(job.Pipeline, job.Index, events), ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            if (!events)
            {
                served.Add((network.OrchestratorName(response.Orchestrator()), job.Pipeline, BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture)));
                return;
            }

            var all = new SseEventReader().Feed(System.Text.Encoding.UTF8.GetBytes(text));
            all.Count(e => e.Name == "progress").ShouldBeGreaterThan(1, text);
            all[^2].Name.ShouldBe("result", text);
            var done = JsonDocument.Parse(all[^1].Data).RootElement;
            served.Add((network.OrchestratorName(done.GetProperty("orchestrator").GetString()!), job.Pipeline, BigInteger.Parse(done.GetProperty("fee_wei").GetString()!, CultureInfo.InvariantCulture)));
        });

        // Paid per chunk, a job still costs exactly units × price: the chunks' units add up to the job's.
        foreach (var (orchestrator, pipeline, fee) in served)
        {
            fee.ShouldBe(new BigInteger(Units[pipeline]) * Prices[(orchestrator, pipeline)], $"{pipeline} on {orchestrator}");
        }

        // A client that leaves after step 5 of an image-to-video job: the job stops and its chunks stop being paid.
        var leftJobs = before["o1"].GetProperty("jobsFailed").GetInt64();
        {
            using var response = await client.SendAsync(Request("image-to-video", 99, events: true), HttpCompletionOption.ResponseHeadersRead);
            var stream = await response.Content.ReadAsStreamAsync();
            var reader = new SseEventReader();
            var buffer = new byte[8192];
            var step = -1;
            while (step < 5)
            {
                var read = await stream.ReadAsync(buffer);
                read.ShouldBeGreaterThan(0);
                foreach (var e in reader.Feed(buffer.AsSpan(0, read)).Where(e => e.Name == "progress"))
                {
                    step = JsonSerializer.Deserialize<ProgressEvent>(e.Data, Protocol.Wire.WireJson.Options)!.Step;
                }
            }

            // Cancelling a pending read aborts the connection; an event that arrives first completes the read, so try again.
            var left = false;
            while (!left)
            {
                using var gone = new CancellationTokenSource();
                var pending = stream.ReadAsync(buffer, gone.Token).AsTask();
                await gone.CancelAsync();
                try
                {
                    (await pending).ShouldBeGreaterThan(0, "the job was still running when the client left");
                }
                catch (OperationCanceledException)
                {
                    left = true;
                }
            }
        }

        var waited = Stopwatch.StartNew();
        while ((await StatusAsync("o1")).GetProperty("jobsFailed").GetInt64() == leftJobs && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200);
        }

        (await StatusAsync("o1")).GetProperty("jobsFailed").GetInt64().ShouldBe(leftJobs + 1, "the orchestrator stopped the abandoned job");

        var after = await LedgerReconciliation.AfterRedemptionsAsync(StatusesAsync);
        var redemptions = await LedgerReconciliation.GatewaySpendIsRedeemedFaceValueAsync(SqliteLedger.Open(network.LedgerConnection), network.GatewayDataDir);

        foreach (var name in names)
        {
            var status = after[name];
            var payments = status.GetProperty("payments");
            var address = EthAddress.Parse(status.GetProperty("address").GetString()!);
            var mine = redemptions.Where(r => r.Recipient == address).ToList();
            payments.GetProperty("pendingRedemptions").GetInt32().ShouldBe(0, name);
            payments.GetProperty("failedRedemptions").GetInt64().ShouldBe(0, name);
            payments.GetProperty("ticketsRedeemed").GetInt64().ShouldBe(payments.GetProperty("winningTickets").GetInt64(), name);
            Wei(payments, "redeemedFaceValueWei").ShouldBe(mine.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FaceValue), name);

            // Each served job debited once at its fee; the abandoned job only for the chunks it delivered, less than its fee.
            var servedHere = served.Where(s => s.Orchestrator == name).Aggregate(BigInteger.Zero, (sum, s) => sum + s.Fee);
            var debited = Wei(payments, "feesDebitedWei") - Wei(before[name].GetProperty("payments"), "feesDebitedWei");
            debited.ShouldBeGreaterThanOrEqualTo(servedHere, name);
            var abandonedFee = name == "o1" ? new BigInteger(Units["image-to-video"] * Prices[("o1", "image-to-video")]) : BigInteger.Zero;
            (debited - servedHere).ShouldBeLessThan(abandonedFee + 1, name);
            Wei(payments, "creditedWei").ShouldBeGreaterThanOrEqualTo(Wei(payments, "feesDebitedWei"), name);
        }
    }
}
