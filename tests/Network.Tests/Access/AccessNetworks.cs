using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Access;

/// <summary>
/// The paid network of <c>topologies/access.json</c> (usage in SQLite) or <c>access-postgres.json</c> (usage in Debian's
/// PostgreSQL, started by the AppHost), with access control on and the admin key the topology names.
/// </summary>
public abstract class AccessNetworkFixture(string topology) : TopologyNetworkFixture(topology)
{
    public const string AdminKey = "network-tests-admin-key-0123456789";

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    public HttpClient Caller(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async Task<string> CreateKeyAsync(string name, string? budget = null, int? rpm = null)
    {
        using var admin = Admin();
        var body = new Dictionary<string, object> { ["name"] = name };
        if (budget is not null)
        {
            body["budget"] = budget;
        }

        if (rpm is not null)
        {
            body["requests_per_minute"] = rpm;
        }

        using var response = await admin.PostAsJsonAsync("/admin/keys", body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>Key name → (fee_wei, jobs) over all time, from <c>GET /admin/usage</c>.</summary>
    public async Task<Dictionary<string, (BigInteger Fee, long Jobs)>> UsageAsync()
    {
        using var admin = Admin();
        var text = await admin.GetStringAsync("/admin/usage?period=total");
        return JsonDocument.Parse(text).RootElement.GetProperty("totals").EnumerateArray().ToDictionary(
            t => t.GetProperty("key").GetString()!,
            t => (BigInteger.Parse(t.GetProperty("fee_wei").GetString()!, CultureInfo.InvariantCulture), t.GetProperty("jobs").GetInt64()));
    }

    public async Task<BigInteger> SpentAsync(string name)
    {
        using var admin = Admin();
        var keys = JsonDocument.Parse(await admin.GetStringAsync("/admin/keys")).RootElement;
        return BigInteger.Parse(keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == name).GetProperty("spent_wei").GetString()!, CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteAccessNetworkFixture() : AccessNetworkFixture("access.json");

public sealed class PostgresAccessNetworkFixture() : AccessNetworkFixture("access-postgres.json");

[CollectionDefinition(Name)]
public sealed class SqliteAccessNetwork : ICollectionFixture<SqliteAccessNetworkFixture>
{
    public const string Name = "Access network (SQLite)";
}

[CollectionDefinition(Name)]
public sealed class PostgresAccessNetwork : ICollectionFixture<PostgresAccessNetworkFixture>
{
    public const string Name = "Access network (PostgreSQL)";
}
