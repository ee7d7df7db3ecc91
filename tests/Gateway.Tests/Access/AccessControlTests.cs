using System.Net;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Gateway.Access;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Tests.Access;

/// <summary>Keys, admin routes and bad credentials against the real gateway with access control on.</summary>
public sealed class AccessControlTests
{
    [Fact]
    public async Task Without_a_key_a_job_gets_401_in_each_routes_error_shape_and_nothing_is_sent_or_paid()
    {
        await using var host = await AccessHost.StartAsync();

        using var llm = await host.LlmAsync(key: null);
        using var openAi = await host.LlmAsync(key: null, path: "/v1/chat/completions");

        llm.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        llm.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        (await DetailMsg(llm)).ShouldContain("Authorization: Bearer <key>");
        openAi.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var error = JsonDocument.Parse(await openAi.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        error.GetProperty("message").GetString()!.ShouldContain("missing API key");
        host.Orchestrator.JobCount.ShouldBe(0);
        host.Payments.Prepared.ShouldBe(0);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer scheme")]
    [InlineData("Bearer", "Bearer scheme")]
    [InlineData("Bearer    ", "Bearer")]
    [InlineData("Bearer two words", "without spaces")]
    [InlineData("lpk_abc", "Bearer scheme")]
    public async Task A_malformed_authorization_header_gets_401_that_says_how_to_send_the_key(string header, string hint)
    {
        await using var host = await AccessHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/llm") { Content = FirstRoutesJson() };
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await host.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailMsg(response)).ShouldContain(hint);
        host.Orchestrator.JobCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_10_kB_key_gets_401_naming_the_length_limit()
    {
        await using var host = await AccessHost.StartAsync();

        using var response = await host.LlmAsync(new string('k', 10 * 1024));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailMsg(response)).ShouldContain($"at most {ApiKeys.MaxLength}");
    }

    [Fact]
    public async Task An_unknown_key_gets_401_and_a_valid_one_runs_the_job()
    {
        await using var host = await AccessHost.StartAsync();
        var key = await host.CreateKeyAsync("app-1");

        using var unknown = await host.LlmAsync(ApiKeys.Generate());
        using var valid = await host.LlmAsync(key);

        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailMsg(unknown)).ShouldBe("unknown API key");
        valid.StatusCode.ShouldBe(HttpStatusCode.OK, await valid.Content.ReadAsStringAsync());
        AccessHost.Fee(valid).ShouldBe(new BigInteger(10 * AccessHost.WeiPerToken));
    }

    [Fact]
    public async Task Each_job_leaves_one_usage_row_and_a_keys_total_is_the_sum_of_its_Livepeer_Fees()
    {
        await using var host = await AccessHost.StartAsync();
        var a = await host.CreateKeyAsync("a");
        var b = await host.CreateKeyAsync("b");
        var fees = new Dictionary<string, BigInteger> { ["a"] = 0, ["b"] = 0 };

        foreach (var (name, key, tokens) in new[] { ("a", a, 10), ("b", b, 7), ("a", a, 3), ("a", a, 12) })
        {
            using var response = await host.LlmAsync(key, tokens);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            fees[name] += AccessHost.Fee(response);
        }

        var totals = (await host.UsageAsync()).GetProperty("totals").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!);
        totals["a"].GetProperty("jobs").GetInt64().ShouldBe(3);
        totals["a"].GetProperty("succeeded").GetInt64().ShouldBe(3);
        BigInteger.Parse(totals["a"].GetProperty("fee_wei").GetString()!).ShouldBe(fees["a"]);
        BigInteger.Parse(totals["b"].GetProperty("fee_wei").GetString()!).ShouldBe(fees["b"]);
        BigInteger.Parse((await host.KeyViewAsync("a")).GetProperty("spent_wei").GetString()!).ShouldBe(fees["a"]);
        var hourly = (await host.UsageAsync("hour")).GetProperty("totals").EnumerateArray().ToList();
        hourly.Sum(t => t.GetProperty("jobs").GetInt64()).ShouldBe(4);
        hourly.ShouldAllBe(t => t.GetProperty("period_start").GetString()!.EndsWith(":00:00.0000000+00:00", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET", "/admin/keys")]
    [InlineData("POST", "/admin/keys")]
    [InlineData("DELETE", "/admin/keys/a")]
    [InlineData("GET", "/admin/usage")]
    [InlineData("GET", "/admin/selection")]
    [InlineData("PUT", "/admin/selection")]
    public async Task Admin_routes_refuse_requests_without_the_admin_key_even_with_a_client_key(string method, string path)
    {
        await using var host = await AccessHost.StartAsync();
        var client = await host.CreateKeyAsync("a");
        var body = method is "POST" ? new { name = "b" } : method is "PUT" ? (object)new { strategy = "adaptive" } : null;

        using var none = await host.Admin(new HttpMethod(method), path, body, bearer: null);
        using var wrong = await host.Admin(new HttpMethod(method), path, body, bearer: client);
        using var admin = await host.Admin(new HttpMethod(method), path, body);

        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailMsg(wrong)).ShouldContain("admin key");
        ((int)admin.StatusCode).ShouldBeLessThan(300, await admin.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"name":"a","budget":"0"}""", 400, "budget must be positive")]
    [InlineData("""{"name":"a","budget":0}""", 400, "budget must be positive")]
    [InlineData("""{"name":"a","budget":"-5"}""", 400, "is not a positive amount")]
    [InlineData("""{"name":"a","budget":-5}""", 400, "is not a positive amount")]
    [InlineData("""{"name":"a","budget":"lots"}""", 400, "is not a positive amount")]
    [InlineData("""{"name":"a","requests_per_minute":0}""", 400, "requests_per_minute must be a positive whole number")]
    [InlineData("""{"name":"a","tokens_per_minute":-1}""", 400, "tokens_per_minute must be a positive whole number")]
    [InlineData("""{"name":"has space"}""", 400, "name is required")]
    [InlineData("""{"budget":"1"}""", 400, "name is required")]
    [InlineData("""{"name":"a","colour":"red"}""", 400, "unknown field 'colour'")]
    [InlineData("""[1]""", 400, "must be a JSON object")]
    public async Task A_bad_key_request_gets_400_that_names_the_field(string body, int status, string message)
    {
        await using var host = await AccessHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/keys") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", AccessHost.AdminKey);

        using var response = await host.Client.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(status);
        (await DetailMsg(response)).ShouldContain(message);
        using var list = await host.Admin(HttpMethod.Get, "/admin/keys");
        JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_duplicate_key_name_gets_409_and_the_first_key_keeps_working()
    {
        await using var host = await AccessHost.StartAsync();
        var first = await host.CreateKeyAsync("app");

        using var duplicate = await host.Admin(HttpMethod.Post, "/admin/keys", new { name = "app" });
        using var job = await host.LlmAsync(first);

        duplicate.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await DetailMsg(duplicate)).ShouldContain("a key named 'app' already exists");
        job.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_usd_budget_converts_through_the_eth_price()
    {
        await using var host = await AccessHost.StartAsync(new() { ["Pricing:EthUsd"] = "2000" });
        await host.CreateKeyAsync("usd", budget: "0.5USD");

        var view = await host.KeyViewAsync("usd");

        view.GetProperty("budget").GetString().ShouldBe("0.5USD");
        view.GetProperty("budget_wei").GetString().ShouldBe("250000000000000");
    }

    [Fact]
    public async Task A_key_revoked_mid_stream_finishes_that_stream_and_its_next_request_gets_403()
    {
        await using var host = await AccessHost.StartAsync();
        var key = await host.CreateKeyAsync("streamer");
        host.Orchestrator.ChunkDelay = TimeSpan.FromMilliseconds(300);

        using var stream = await host.LlmAsync(key, stream: true);
        stream.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync())!.ShouldStartWith("data: ");
        using var revoke = await host.Admin(HttpMethod.Delete, "/admin/keys/streamer");
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rest = await reader.ReadToEndAsync();
        using var next = await host.LlmAsync(key);

        rest.ShouldContain("\"finish_reason\":\"stop\"");
        JsonDocument.Parse(await revoke.Content.ReadAsStringAsync()).RootElement.GetProperty("revoked").GetString().ShouldNotBeNull();
        next.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await DetailMsg(next)).ShouldContain("API key 'streamer' was revoked");
    }

    [Fact]
    public async Task With_access_off_the_gateway_stays_open_and_has_no_key_routes()
    {
        await using var gw = await GatewayHost.StartAsync(1, _ => [new FakeModel(PipelineCatalog.Llm, "meta-llama/Meta-Llama-3.1-8B-Instruct")]);

        using var job = await gw.Client.PostAsync("/llm", FirstRoutesJson());
        using var keys = await gw.Client.GetAsync("/admin/keys");
        using var selection = await gw.Client.PutAsync("/admin/selection", new StringContent("""{"strategy":"adaptive"}""", System.Text.Encoding.UTF8, "application/json"));

        job.StatusCode.ShouldBe(HttpStatusCode.OK);
        keys.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await DetailMsg(keys)).ShouldContain("Access:Enabled=false");
        selection.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Access_on_without_an_admin_key_refuses_to_start()
    {
        var e = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            AccessHost.StartAsync(new() { ["Access:AdminKey"] = "short" }));

        e.Message.ShouldContain("Access:AdminKey must be set to at least 16 characters");
    }

    [Fact]
    public async Task The_network_page_data_shows_spend_per_key()
    {
        await using var host = await AccessHost.StartAsync();
        var key = await host.CreateKeyAsync("shown", budget: "1000000");
        using var job = await host.LlmAsync(key);

        using var response = await host.Client.GetAsync("/network/keys");

        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        data.GetProperty("enabled").GetBoolean().ShouldBeTrue();
        var shown = data.GetProperty("keys").EnumerateArray().Single();
        shown.GetProperty("name").GetString().ShouldBe("shown");
        shown.GetProperty("spent_wei").GetString().ShouldBe(AccessHost.Fee(job).ToString());
        shown.TryGetProperty("key", out _).ShouldBeFalse();
    }

    internal static async Task<string> DetailMsg(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return root.GetProperty("detail").GetProperty("msg").GetString()!;
    }

    internal static StringContent FirstRoutesJson() =>
        new("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":10,"stream":false}""", System.Text.Encoding.UTF8, "application/json");
}
