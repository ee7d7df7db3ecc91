using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.SharedState;
using LivepeerAspire.Gateway.Tests.Discovery;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.Tests.Payments;

/// <summary>
/// The gateway's shared state against a real redis-server started by the test: replicas (each its own connection,
/// allocator and store, as separate processes have) racing on the same ticket params never sign the same nonce; data
/// someone edited by hand is ignored with a warning; a Redis that goes away, or comes back empty, never makes a
/// replica reuse a nonce.
/// </summary>
public sealed class RedisSharedStateTests : IDisposable
{
    private readonly RedisServer server = new();
    private readonly List<IConnectionMultiplexer> connections = [];
    private readonly EthAccount gateway = EthAccount.Generate();

    public void Dispose()
    {
        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        server.Dispose();
    }

    private sealed record Replica(SharedRedis Redis, RedisSenderNonces Nonces, RedisTicketParamsStore Store, ListLogger<RedisSenderNonces> NonceLog, ListLogger<RedisTicketParamsStore> StoreLog);

    private Replica NewReplica(int nonceBlock = 8)
    {
        var connection = ConnectionMultiplexer.Connect(server.ConnectionString);
        connections.Add(connection);
        var options = Options.Create(new SharedStateOptions { NonceBlock = nonceBlock, CommandTimeout = TimeSpan.FromSeconds(1) });
        var redis = new SharedRedis(connection, options, TimeProvider.System, NullLogger<SharedRedis>.Instance);
        var nonceLog = new ListLogger<RedisSenderNonces>();
        var nonces = new RedisSenderNonces(redis, gateway, options, nonceLog);
        var storeLog = new ListLogger<RedisTicketParamsStore>();
        return new Replica(redis, nonces, new RedisTicketParamsStore(redis, nonces, options, TimeProvider.System, storeLog), nonceLog, storeLog);
    }

    private static TicketParameters Params(byte seed = 1)
    {
        var hash = Enumerable.Repeat(seed, 32).ToArray();
        return new TicketParameters(EthAccount.Generate().Address, 100_000, TicketMath.WinProb(100_000, 1000), hash, BigInteger.One, 1_000, 1, new byte[32]);
    }

    private IDatabase Db => connections[0].GetDatabase();

    private async Task<string> PublishGenerationAsync(Replica replica)
    {
        var generation = Guid.NewGuid().ToString("N");
        await Db.StringSetAsync(replica.Nonces.GenerationKey, generation);
        return generation;
    }

    [Fact]
    public async Task Two_replicas_racing_on_the_same_shared_params_never_both_get_nonce_k()
    {
        var a = NewReplica(nonceBlock: 5);
        var b = NewReplica(nonceBlock: 7);
        var parameters = Params();
        var generation = await PublishGenerationAsync(a);
        a.Nonces.MarkShared(parameters, generation);
        b.Nonces.MarkShared(parameters, generation);

        var taken = new ConcurrentBag<(string Replica, uint Nonce)>();
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var (name, nonces) = i % 2 == 0 ? ("a", a.Nonces) : ("b", b.Nonces);
            var got = await nonces.TryReserveAsync(parameters, 1 + (i % 3), ct);
            if (got is null)
            {
                Interlocked.Increment(ref refused);
                return;
            }

            foreach (var nonce in got)
            {
                taken.Add((name, nonce));
            }
        });

        // 400 requests for ~800 nonces against 600 per params: both replicas signed, none twice, none past 600.
        taken.Select(t => t.Nonce).Distinct().Count().ShouldBe(taken.Count);
        taken.ShouldAllBe(t => t.Nonce >= 1 && t.Nonce <= SeenNonces.MaxSenderNonces);
        taken.Select(t => t.Replica).Distinct().Count().ShouldBe(2);
        refused.ShouldBeGreaterThan(0);
        taken.Count.ShouldBeGreaterThan(SeenNonces.MaxSenderNonces - 5 - 7 - 2 * 3, "only what sits unused in the two replicas' blocks is lost");
    }

    [Fact]
    public async Task Two_paying_replicas_refresh_the_params_once_share_them_and_every_ticket_is_accepted_by_the_orchestrator()
    {
        var dir = Directory.CreateTempSubdirectory("gw-redis-").FullName;
        var time = new ManualTimeProvider();
        try
        {
            var ledger = SqliteLedger.Open($"Data Source={Path.Combine(dir, "ledger.db")}", new LedgerOptions { BlockTime = TimeSpan.FromSeconds(1) }, time);
            var orchestrator = EthAccount.Generate();
            await ledger.RegisterOrchestratorAsync(orchestrator.Address, "http://127.0.0.1:1/", BigInteger.Pow(10, 18));
            await ledger.FundDepositAndReserveAsync(gateway.Address, BigInteger.Pow(10, 15), BigInteger.Pow(10, 15));
            var orch = OrchestratorPayments.Create(orchestrator, ledger, new TicketIssuerOptions { TicketEV = "1000", GasPrice = "0" }, time);
            var infoClient = new CountingInfoClient(orch, gateway.Address, time);
            var stale = infoClient.Issue();
            time.Advance(TimeSpan.FromSeconds(38)); // the session's params now have 2 blocks left: both replicas must refresh

            OnChainPaymentSender SenderOf(Replica r) => new(
                new PaymentSender(gateway, ledger, new PaymentSenderOptions { LedgerCacheTime = TimeSpan.Zero }, time, r.Nonces), gateway, ledger,
                infoClient, r.Store, new OnChainPaymentOptions(), NullLogger<OnChainPaymentSender>.Instance, time);
            var senders = new[] { SenderOf(NewReplica()), SenderOf(NewReplica()) };

            var accepted = 0;
            var errors = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, 120), new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (i, ct) =>
            {
                var sender = senders[i % 2];
                // 2,500 units at 2 wei: 5 tickets of EV 1000 per job, 600 tickets in all: the shared params run out once.
                var ticket = await sender.PrepareAsync(new PaymentRequest(stale, PipelineCatalog.TextToImage, "m", 2_500), ct);
                var payment = Payment.Parser.ParseFrom(Convert.FromBase64String(ticket.Headers.First(h => h.Key == PaymentHeader.Name).Value));
                var result = await orch.Receiver.ProcessPaymentAsync(payment, "27_m");
                if (result.Accepted)
                {
                    Interlocked.Add(ref accepted, result.Tickets);
                }
                else
                {
                    errors.Add(result.Error!);
                }

                sender.Complete(ticket, result.Accepted ? PaymentOutcome.Succeeded : PaymentOutcome.Refused);
            });

            errors.ShouldBeEmpty();
            accepted.ShouldBeGreaterThanOrEqualTo(600);
            // One refresh per exhaustion, shared by both replicas (a replica that finds the lock taken waits for the winner).
            infoClient.Calls.ShouldBeLessThanOrEqualTo(4);
            (await connections[0].GetServer(connections[0].GetEndPoints()[0]).KeysAsync(pattern: "*params:*").CountAsync()).ShouldBe(1);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_hand_edited_nonce_counter_is_ignored_with_a_warning_and_gives_no_nonces()
    {
        var a = NewReplica(nonceBlock: 1);
        var parameters = Params();
        a.Nonces.MarkShared(parameters, await PublishGenerationAsync(a));
        (await a.Nonces.TryReserveAsync(parameters, 1, default)).ShouldBe([1u]);
        var key = await connections[0].GetServer(connections[0].GetEndPoints()[0]).KeysAsync(pattern: "*nonce:*").SingleAsync();
        await Db.StringSetAsync(key, "banana");

        (await a.Nonces.TryReserveAsync(parameters, 1, default)).ShouldBeNull();

        a.NonceLog.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("does not hold a nonce counter");
    }

    [Fact]
    public async Task Hand_edited_ticket_params_are_ignored_with_a_warning()
    {
        var a = NewReplica();
        await Db.StringSetAsync(a.Redis.Key("params", "orch|27_m"), "0123456789abcdef0123456789abcdef not protobuf at all");

        (await a.Store.GetAsync("orch|27_m", default)).ShouldBeNull();

        a.StoreLog.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("ignoring Redis key");
    }

    [Fact]
    public async Task A_hand_edited_async_result_is_ignored_with_a_warning()
    {
        var a = NewReplica();
        var log = new ListLogger<RedisAsyncResultStore>();
        var store = new RedisAsyncResultStore(a.Redis, log);
        await Db.StringSetAsync(a.Redis.Key("async", "abc"), "{not json");
        await store.PublishResultAsync("def", JsonDocument.Parse("""{"images":[]}""").RootElement, TimeSpan.FromMinutes(1));

        (await store.FindAsync("abc")).ShouldBeNull();
        (await store.FindAsync("def"))!.Complete.ShouldBeTrue();

        log.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("not an async job state");
    }

    [Fact]
    public async Task While_Redis_is_away_shared_params_give_only_nonces_already_held_and_after_an_empty_restart_never_any_again()
    {
        var a = NewReplica(nonceBlock: 4);
        var b = NewReplica(nonceBlock: 4);
        var shared = Params(1);
        var own = Params(2);
        var generation = await PublishGenerationAsync(a);
        a.Nonces.MarkShared(shared, generation);
        b.Nonces.MarkShared(shared, generation);
        var before = (await a.Nonces.TryReserveAsync(shared, 1, default))!.Concat((await b.Nonces.TryReserveAsync(shared, 1, default))!).ToList();
        before.ShouldBe([1u, 5u]);

        server.Stop();
        // What a replica already holds stays its own; nothing new comes from a Redis that is away, and nothing is counted locally.
        (await a.Nonces.TryReserveAsync(shared, 3, default)).ShouldBe([2u, 3u, 4u]);
        (await a.Nonces.TryReserveAsync(shared, 1, default)).ShouldBeNull();
        // Params a replica fetched for itself are counted locally, Redis or not.
        (await a.Nonces.TryReserveAsync(own, 2, default)).ShouldBe([1u, 2u]);

        server.Start(); // empty: the counter of the shared params is gone
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!a.Redis.Available && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        a.Redis.Available.ShouldBeTrue();
        await PublishGenerationAsync(a); // another replica publishing fresh params after the restart
        await Task.Delay(1100); // past the back-off after the failed command
        (await a.Nonces.TryReserveAsync(shared, 1, default)).ShouldBeNull();
        var fromB = await b.Nonces.TryReserveAsync(shared, 4, default);
        fromB.ShouldBeNull(); // b holds 6, 7, 8 only; 4 more would need Redis, which no longer vouches for these params
        (await b.Nonces.TryReserveAsync(shared, 3, default)).ShouldBe([6u, 7u, 8u]);
    }

    private sealed record RelayedReplica(ReplicaRelay Relay, SpeedTracker Speeds, Cooldowns Cooldowns, ListLogger<ReplicaRelay> Log);

    private async Task<RelayedReplica> RelayedAsync(bool shareSpeeds = true)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        connections.Add(connection);
        var options = Options.Create(new SharedStateOptions { ShareSpeeds = shareSpeeds });
        var redis = new SharedRedis(connection, options, TimeProvider.System, NullLogger<SharedRedis>.Instance);
        var selection = TestSessions.Selection(new LivepeerAspire.Gateway.Selection.SelectionOptions());
        var speeds = new SpeedTracker(selection, TimeProvider.System);
        var cooldowns = new Cooldowns(TimeProvider.System);
        var queue = new LivepeerAspire.Gateway.Queueing.CapacityQueue(TimeProvider.System,
            new StaticMonitor<LivepeerAspire.Gateway.Queueing.QueueOptions>(new LivepeerAspire.Gateway.Queueing.QueueOptions()), new LivepeerAspire.Gateway.Observability.GatewayMetrics(TimeProvider.System));
        var log = new ListLogger<ReplicaRelay>();
        var relay = new ReplicaRelay(connection, redis, cooldowns, queue, speeds, options, log);
        await relay.StartAsync(default);
        // Subscribed once a message of its own comes back (and is ignored as its own).
        await Task.Delay(500);
        return new RelayedReplica(relay, speeds, cooldowns, log);
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, what);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_slot_freed_on_one_replica_ends_the_others_cooldown_and_its_speed_samples_reach_the_others()
    {
        var a = await RelayedAsync();
        var b = await RelayedAsync();
        var quiet = await RelayedAsync(shareSpeeds: false);
        var target = new Protocol.Pipelines.PipelineModel(PipelineCatalog.TextToImage, "m");
        b.Cooldowns.CoolDown("https://o1", target, TimeSpan.FromHours(1));

        a.Cooldowns.End("https://o1", target);
        a.Speeds.Record("https://o1", target, TimeSpan.FromSeconds(3), work: 2);

        await EventuallyAsync(() => b.Cooldowns.Remaining("https://o1", target) == TimeSpan.Zero, "b's cooldown at o1 ended by a's freed slot");
        await EventuallyAsync(() => b.Speeds.Get("https://o1", target) is { Samples: 1 }, "a's sample reached b");
        b.Speeds.Get("https://o1", target)!.SecondsPerUnit.ShouldBe(1.5);
        await Task.Delay(300);
        quiet.Speeds.Get("https://o1", target).ShouldBeNull("SharedState:ShareSpeeds=false keeps a replica to its own samples");
        a.Speeds.Get("https://o1", target)!.Samples.ShouldBe(1, "a replica does not count its own sample twice");

        await Db.PublishAsync(RedisChannel.Literal(new SharedStateOptions().KeyPrefix + "replicas"), "not a replica's message");
        await EventuallyAsync(() => b.Log.At(LogLevel.Warning).Any(), "the stray message was reported");
        b.Log.At(LogLevel.Warning).First().ShouldContain("ignoring a message");
    }

    /// <summary>getOrchestrator answered by Protocol's ticket issuer at 2 wei per unit, counting the calls.</summary>
    private sealed class CountingInfoClient(OrchestratorPayments orch, EthAddress sender, TimeProvider time) : IOrchestratorInfoClient
    {
        public int Calls;

        public OrchestratorInfo Issue()
        {
            var price = PriceInfos.ToPriceInfo(new BigRational(2));
            return new OrchestratorInfo
            {
                Transcoder = "http://127.0.0.1:1/",
                Address = Google.Protobuf.ByteString.CopyFrom(orch.Issuer.Recipient.Span),
                PriceInfo = price,
                AuthToken = new AuthToken { SessionId = "s", Expiration = time.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds() },
                TicketParams = orch.Issuer.IssueParamsAsync(sender, price).GetAwaiter().GetResult(),
            };
        }

        public Task<DiscoveredOrchestrator> GetOrchestratorAsync(Uri orchestrator, Capabilities? capabilities, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new DiscoveredOrchestrator(orchestrator, Issue(), TimeSpan.FromMilliseconds(1)));
        }
    }
}

/// <summary>How the gateway process treats a Redis connection string it cannot use: refuse start, or start on local state when optional.</summary>
public sealed class RedisStartupTests
{
    [Fact]
    public async Task An_unreachable_Redis_refuses_start_naming_the_key_and_the_reason()
    {
        var (code, _, stderr) = await LivepeerAspire.Tests.Shared.ServiceProcess.RunAsync("Gateway.dll",
            new Dictionary<string, string> { ["ConnectionStrings__redis"] = "127.0.0.1:1" }, TimeSpan.FromSeconds(90), until: null);

        code.ShouldBe(2, stderr);
        stderr.ShouldStartWith("gateway: refusing to start: invalid configuration: ConnectionStrings:redis (ConnectionStrings__redis) = '127.0.0.1:1': Redis does not answer: ");
        stderr.ShouldContain("SharedState:RedisOptional=true");
        stderr.Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public async Task A_connection_string_that_cannot_be_read_refuses_start_with_the_reason()
    {
        var (code, _, stderr) = await LivepeerAspire.Tests.Shared.ServiceProcess.RunAsync("Gateway.dll",
            new Dictionary<string, string> { ["ConnectionStrings__redis"] = "127.0.0.1:6379,syncTimeout=soon,password=secret" }, TimeSpan.FromSeconds(90), until: null);

        code.ShouldBe(2, stderr);
        stderr.ShouldStartWith("gateway: refusing to start: invalid configuration: ConnectionStrings:redis (ConnectionStrings__redis) = '127.0.0.1:6379,syncTimeout=soon,password=***': it cannot be read: ");
        stderr.ShouldContain("syncTimeout");
        stderr.ShouldNotContain("secret");
    }

    [Theory]
    [InlineData("127.0.0.1:1")]
    [InlineData("127.0.0.1:6379,syncTimeout=soon")]
    public async Task Marked_optional_the_gateway_starts_on_local_state_and_says_why(string connection)
    {
        var (code, stdout, stderr) = await LivepeerAspire.Tests.Shared.ServiceProcess.RunAsync("Gateway.dll",
            new Dictionary<string, string> { ["ConnectionStrings__redis"] = connection, ["SharedState__RedisOptional"] = "true" }, TimeSpan.FromSeconds(90), until: "Now listening on");

        code.ShouldBe(-1, $"stdout: {stdout}\nstderr: {stderr}");
        stdout.ShouldContain("SharedState:RedisOptional is true");
    }
}
