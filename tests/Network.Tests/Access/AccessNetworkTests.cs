using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Tests.Shared;
using OpenAI;
using OpenAI.Chat;

namespace LivepeerAspire.Network.Tests.Access;

/// <summary>
/// A paid network with access control on: two keys spend through one gateway, each key's recorded spend is the sum
/// of its jobs' <c>Livepeer-Fee</c>, a budget stops a key within one job's fee, and the unmodified @livepeer/ai SDK
/// and OpenAI .NET client work with a key and read 401, 403 and 429. The same tests run on SQLite and on PostgreSQL.
/// </summary>
public abstract class AccessNetworkTests(AccessNetworkFixture network)
{
    private const string Model = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    [Fact]
    public async Task Two_keys_recorded_spend_is_the_sum_of_their_jobs_Livepeer_Fee()
    {
        var keys = new Dictionary<string, string> { ["team-a"] = await network.CreateKeyAsync("team-a"), ["team-b"] = await network.CreateKeyAsync("team-b") };
        var jobs = new[] { ("team-a", "llm"), ("team-b", "llm"), ("team-a", "text-to-image"), ("team-b", "text-to-image"), ("team-a", "llm"), ("team-a", "llm"), ("team-b", "llm") };

        var results = await Task.WhenAll(jobs.Select(async job =>
        {
            using var client = network.Caller(keys[job.Item1]);
            using var response = await client.PostAsync("/" + job.Item2, Body(job.Item2));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (Key: job.Item1, Fee: BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture));
        }));

        var usage = await network.UsageAsync();
        foreach (var name in keys.Keys)
        {
            var paid = results.Where(r => r.Key == name).Aggregate(BigInteger.Zero, (sum, r) => sum + r.Fee);
            paid.ShouldBeGreaterThan(BigInteger.Zero);
            usage[name].Fee.ShouldBe(paid, $"{name}: recorded spend");
            usage[name].Jobs.ShouldBe(results.Count(r => r.Key == name));
            (await network.SpentAsync(name)).ShouldBe(paid);
        }
    }

    [Fact]
    public async Task A_budget_stops_a_key_within_one_jobs_fee()
    {
        var probe = await network.CreateKeyAsync("probe");
        BigInteger fee;
        using (var client = network.Caller(probe))
        using (var response = await client.PostAsync("/llm", Body("llm")))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            fee = BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture);
        }

        var budget = fee * 5 / 2;
        var key = await network.CreateKeyAsync("capped", budget.ToString(CultureInfo.InvariantCulture));
        using var capped = network.Caller(key);
        var statuses = new List<HttpStatusCode>();
        var paid = BigInteger.Zero;
        for (var i = 0; i < 6; i++)
        {
            using var response = await capped.PostAsync("/llm", Body("llm"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                paid += BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture);
            }
            else
            {
                response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
                JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetProperty("msg").GetString()!.ShouldContain("budget");
            }
        }

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden]);
        var spent = await network.SpentAsync("capped");
        spent.ShouldBe(paid);
        spent.ShouldBeLessThanOrEqualTo(budget);
        (budget - spent).ShouldBeLessThan(fee);
        (await network.UsageAsync())["capped"].Fee.ShouldBe(paid);
    }

    [Fact]
    public async Task The_livepeer_sdk_works_with_a_key_and_reads_401_403_and_429()
    {
        var valid = await network.CreateKeyAsync("sdk");
        var broke = await network.CreateKeyAsync("sdk-broke", budget: "1");
        var limited = await network.CreateKeyAsync("sdk-limited", rpm: 1);
        var calls = JsonSerializer.Serialize(new object[]
        {
            new { name = "llm", key = valid, call = "llm" },
            new { name = "textToImage", key = valid, call = "textToImage" },
            new { name = "noKey", key = "", call = "llm" },
            new { name = "unknownKey", key = "lpk_not-a-key", call = "llm" },
            new { name = "overBudget", key = broke, call = "llm" },
            new { name = "limitedFirst", key = limited, call = "textToImage" },
            new { name = "limitedSecond", key = limited, call = "textToImage" },
        });

        var result = await NodeScript.RunAsync("livepeer-sdk-access.mjs", network.GatewayUrl, calls);

        result.GetProperty("llm").GetProperty("ok").GetBoolean().ShouldBeTrue(result.ToString());
        result.GetProperty("llm").GetProperty("content").GetString().ShouldNotBeNullOrWhiteSpace();
        result.GetProperty("textToImage").GetProperty("images").GetInt32().ShouldBe(1);
        // The SDK types 401 as its HTTPError (the Livepeer AI API's 400/401 schema), which carries detail.msg but no status.
        Unauthorized(result, "noKey", "missing API key");
        Unauthorized(result, "unknownKey", "unknown API key");
        Refused(result, "overBudget", 403, "budget");
        result.GetProperty("limitedFirst").GetProperty("ok").GetBoolean().ShouldBeTrue(result.ToString());
        Refused(result, "limitedSecond", 429, "requests per minute");
        int.Parse(result.GetProperty("limitedSecond").GetProperty("retryAfter").GetString()!, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task The_openai_client_works_with_a_key_and_reads_401_403_and_429()
    {
        var valid = await network.CreateKeyAsync("openai");
        var broke = await network.CreateKeyAsync("openai-broke", budget: "1");
        var limited = await network.CreateKeyAsync("openai-limited", rpm: 1);

        ChatCompletion completion = await Chat(valid).CompleteChatAsync([new UserChatMessage("Name three rivers.")], new ChatCompletionOptions { MaxOutputTokenCount = 16 });
        var missing = await Should.ThrowAsync<ClientResultException>(() => Chat("lpk_unknown").CompleteChatAsync([new UserChatMessage("hi")]));
        var overBudget = await Should.ThrowAsync<ClientResultException>(() => Chat(broke).CompleteChatAsync([new UserChatMessage("hi")]));
        await Chat(limited).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 8 });
        var tooFast = await Should.ThrowAsync<ClientResultException>(() => Chat(limited).CompleteChatAsync([new UserChatMessage("hi")]));

        completion.Content.Single().Text.ShouldNotBeNullOrWhiteSpace();
        missing.Status.ShouldBe(401);
        missing.Message.ShouldContain("unknown API key");
        overBudget.Status.ShouldBe(403);
        overBudget.Message.ShouldContain("budget");
        tooFast.Status.ShouldBe(429);
        tooFast.Message.ShouldContain("requests per minute");
    }

    [Fact]
    public async Task Admin_routes_refuse_requests_without_the_admin_key()
    {
        var client = await network.CreateKeyAsync("not-admin");
        foreach (var key in new[] { null, client })
        {
            using var caller = network.Caller(key);
            using var keys = await caller.GetAsync("/admin/keys");
            using var create = await caller.PostAsJsonAsync("/admin/keys", new { name = "sneaky" });
            using var usage = await caller.GetAsync("/admin/usage");
            using var selection = await caller.PutAsJsonAsync("/admin/selection", new { strategy = "adaptive" });
            new[] { keys, create, usage, selection }.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Unauthorized);
        }

        using var admin = network.Admin();
        var names = JsonDocument.Parse(await admin.GetStringAsync("/admin/keys")).RootElement.EnumerateArray().Select(k => k.GetProperty("name").GetString()).ToList();
        names.ShouldNotContain("sneaky");
    }

    [Fact]
    public async Task The_simulators_fault_api_refuses_changes_without_the_token_the_AppHost_passed()
    {
        using var simulator = network.CreateClient(network.SimulatorUrl);

        using var fault = await simulator.PostAsync("/admin/gpus/o1-gpu0/faults", new StringContent("{\"kind\":\"crash\"}", System.Text.Encoding.UTF8, "application/json"));
        var gpu = JsonDocument.Parse(await simulator.GetStringAsync("/admin/gpus/o1-gpu0")).RootElement;

        fault.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        gpu.GetProperty("down").GetBoolean().ShouldBeFalse();
        new Uri(network.SimulatorUrl).IsLoopback.ShouldBeTrue();
    }

    private static void Unauthorized(JsonElement result, string name, string message)
    {
        var entry = result.GetProperty(name);
        entry.GetProperty("ok").GetBoolean().ShouldBeFalse(result.ToString());
        entry.GetProperty("errorType").GetString().ShouldBe("HTTPError", result.ToString());
        entry.GetProperty("msg").GetString()!.ShouldContain(message);
    }

    private static void Refused(JsonElement result, string name, int status, string message)
    {
        var entry = result.GetProperty(name);
        entry.GetProperty("ok").GetBoolean().ShouldBeFalse(result.ToString());
        entry.GetProperty("status").GetInt32().ShouldBe(status, result.ToString());
        entry.GetProperty("msg").GetString()!.ShouldContain(message);
    }

    private ChatClient Chat(string key) =>
        new(Model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(network.GatewayUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private static StringContent Body(string pipeline) => new(
        pipeline == "llm"
            ? """{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"stream":false}"""
            : """{"prompt":"a lighthouse","model_id":"SG161222/RealVisXL_V4.0_Lightning","width":64,"height":64}""",
        System.Text.Encoding.UTF8,
        "application/json");
}

[Collection(SqliteAccessNetwork.Name)]
public sealed class SqliteAccessNetworkTests(SqliteAccessNetworkFixture network) : AccessNetworkTests(network);

[Collection(PostgresAccessNetwork.Name)]
public sealed class PostgresAccessNetworkTests(PostgresAccessNetworkFixture network) : AccessNetworkTests(network);
