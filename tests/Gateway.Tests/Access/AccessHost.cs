using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Gateway.Access.Storage;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.Gateway.Tests.Access;

/// <summary>
/// A gateway with access control on, over a SQLite file in a temporary directory and one fake LLM orchestrator
/// priced at <see cref="WeiPerToken"/>; payments go through <see cref="PricedPayments"/>, which charges price × units as
/// the on-chain sender does, so budgets have real fees to count.
/// </summary>
public sealed class AccessHost : IAsyncDisposable
{
    public const string AdminKey = "admin-key-for-tests-0123456789";
    public const long WeiPerToken = 1000;

    private AccessHost(GatewayHost gateway, string directory, PricedPayments payments, SwitchableStore? store)
    {
        Gateway = gateway;
        Directory = directory;
        Payments = payments;
        Store = store;
    }

    public GatewayHost Gateway { get; }

    public string Directory { get; }

    public PricedPayments Payments { get; }

    public SwitchableStore? Store { get; }

    public HttpClient Client => Gateway.Client;

    public FakeOrchestrator Orchestrator => Gateway.Orchestrators[0];

    public string DatabaseConnection => $"Data Source={Path.Combine(Directory, "access.db")}";

    public static async Task<AccessHost> StartAsync(Dictionary<string, string?>? settings = null, bool switchableStore = false, Action<WebApplicationBuilder>? configure = null, string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("access-tests-").FullName;
        var payments = new PricedPayments();
        var connection = $"Data Source={Path.Combine(directory, "access.db")}";
        var store = switchableStore ? new SwitchableStore(new SqlAccessStore("sqlite", connection)) : null;
        var config = new Dictionary<string, string?>
        {
            ["Access:Enabled"] = "true",
            ["Access:AdminKey"] = AdminKey,
            ["Access:UsageFlushInterval"] = "00:00:00.050",
            ["ConnectionStrings:access"] = connection,
        };
        foreach (var (k, v) in settings ?? [])
        {
            config[k] = v;
        }

        var fake = await FakeOrchestrator.StartAsync(new FakeModel(PipelineCatalog.Llm, "meta-llama/Meta-Llama-3.1-8B-Instruct", PricePerUnit: WeiPerToken, Capacity: 8));
        try
        {
            var gateway = await GatewayHost.StartAsync([fake], config, builder =>
            {
                builder.Services.AddSingleton<IPaymentSender>(payments);
                if (store is not null)
                {
                    builder.Services.AddSingleton<IAccessStore>(store);
                }

                configure?.Invoke(builder);
            });
            return new AccessHost(gateway, directory, payments, store);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    public async Task<string> CreateKeyAsync(string name, object? budget = null, int? rpm = null, int? tpm = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = name };
        if (budget is not null)
        {
            body["budget"] = budget;
        }

        if (rpm is not null)
        {
            body["requests_per_minute"] = rpm;
        }

        if (tpm is not null)
        {
            body["tokens_per_minute"] = tpm;
        }

        using var response = await Admin(HttpMethod.Post, "/admin/keys", body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("key").GetString()!;
    }

    public Task<HttpResponseMessage> Admin(HttpMethod method, string path, object? body = null, string? bearer = AdminKey)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> LlmAsync(string? key, int maxTokens = 10, bool stream = false, string path = "/llm")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(new { model = "", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = maxTokens, stream }),
        };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        return Client.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
    }

    public static BigInteger Fee(HttpResponseMessage response) =>
        BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<JsonElement> UsageAsync(string period = "total")
    {
        using var response = await Admin(HttpMethod.Get, "/admin/usage?period=" + period);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> KeyViewAsync(string name)
    {
        using var response = await Admin(HttpMethod.Get, "/admin/keys");
        var keys = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == name);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}

/// <summary>Charges price × units (the orchestrator's advertised price), and keeps how each attempt ended.</summary>
public sealed class PricedPayments : IPaymentSender
{
    public ConcurrentQueue<(BigInteger Fee, PaymentOutcome Outcome)> Completed { get; } = new();

    public int Prepared;

    public ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Prepared);
        var price = request.Orchestrator.PriceInfo;
        var fee = price is null || price.PixelsPerUnit == 0 ? BigInteger.Zero : new BigInteger(price.PricePerUnit) * request.Units / price.PixelsPerUnit;
        return ValueTask.FromResult(new PaymentTicket([], fee, "priced"));
    }

    public void Complete(PaymentTicket ticket, PaymentOutcome outcome) => Completed.Enqueue((ticket.FeeWei, outcome));
}

/// <summary>The real SQLite store, which a test can make fail as a database that went away does.</summary>
public sealed class SwitchableStore(SqlAccessStore inner) : IAccessStore
{
    public volatile bool Down;

    public Task MigrateAsync(CancellationToken cancellationToken) => Guard(() => inner.MigrateAsync(cancellationToken));

    public Task InsertKeyAsync(Gateway.Access.AccessKey key, CancellationToken cancellationToken) => Guard(() => inner.InsertKeyAsync(key, cancellationToken));

    public Task<IReadOnlyList<Gateway.Access.AccessKey>> KeysAsync(CancellationToken cancellationToken) => Guard(() => inner.KeysAsync(cancellationToken));

    public Task<Gateway.Access.AccessKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken) => Guard(() => inner.FindByHashAsync(keyHash, cancellationToken));

    public Task<bool> RevokeAsync(string name, DateTimeOffset at, CancellationToken cancellationToken) => Guard(() => inner.RevokeAsync(name, at, cancellationToken));

    public Task InsertUsageAsync(IReadOnlyList<UsageRecord> rows, CancellationToken cancellationToken) => Guard(() => inner.InsertUsageAsync(rows, cancellationToken));

    public Task<IReadOnlyDictionary<string, BigInteger>> SpentByKeyAsync(CancellationToken cancellationToken) => Guard(() => inner.SpentByKeyAsync(cancellationToken));

    public Task<IReadOnlyList<UsageTotal>> TotalsAsync(DateTimeOffset from, DateTimeOffset to, long periodMilliseconds, CancellationToken cancellationToken) =>
        Guard(() => inner.TotalsAsync(from, to, periodMilliseconds, cancellationToken));

    private Task<T> Guard<T>(Func<Task<T>> call) => Down ? Task.FromException<T>(new Microsoft.Data.Sqlite.SqliteException("unable to open database file", 14)) : call();

    private Task Guard(Func<Task> call) => Down ? Task.FromException(new Microsoft.Data.Sqlite.SqliteException("unable to open database file", 14)) : call();
}
