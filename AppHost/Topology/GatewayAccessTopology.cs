using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LivepeerAspire.AppHost.Resources;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// The topology's <c>"gateway": {"auth": …}</c>: access control on the gateway (API keys, budgets, rate limits,
/// usage records). <c>true</c> for the defaults, or an object:
/// <c>{"database": "sqlite"|"postgres", "adminKey": "…", "requestsPerMinute": n, "tokensPerMinute": n}</c>.
/// Without <c>adminKey</c> the AppHost makes one and writes it to <c>&lt;run dir&gt;/gateway/admin-key</c>.
/// </summary>
public sealed record GatewayAccessSpec
{
    public static readonly string[] Keys = ["database", "adminKey", "requestsPerMinute", "tokensPerMinute"];

    public string Database { get; init; } = "sqlite";

    public string? AdminKey { get; init; }

    public int RequestsPerMinute { get; init; }

    public int TokensPerMinute { get; init; }

    public static GatewayAccessSpec? Read(JsonElement element, string file)
    {
        const string path = "$.gateway.auth";
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean() ? new GatewayAccessSpec() : null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TopologyException(file, path, "must be true, false or an object such as {\"database\":\"postgres\"} (see docs/apphost.md, \"Access control\")");
        }

        var spec = new GatewayAccessSpec();
        foreach (var member in element.EnumerateObject())
        {
            var at = $"{path}.{member.Name}";
            spec = member.Name switch
            {
                "database" => spec with
                {
                    Database = member.Value.ValueKind == JsonValueKind.String && member.Value.GetString() is "sqlite" or "postgres"
                        ? member.Value.GetString()!
                        : throw new TopologyException(file, at, "must be \"sqlite\" (embedded, the default) or \"postgres\""),
                },
                "adminKey" => spec with
                {
                    AdminKey = member.Value.ValueKind == JsonValueKind.String && member.Value.GetString() is { Length: >= 16 and <= 256 } k && !k.Any(char.IsWhiteSpace)
                        ? k
                        : throw new TopologyException(file, at, "must be a string of 16 to 256 characters without spaces (leave it out and the AppHost makes one)"),
                },
                "requestsPerMinute" => spec with { RequestsPerMinute = Rate(member.Value, file, at) },
                "tokensPerMinute" => spec with { TokensPerMinute = Rate(member.Value, file, at) },
                _ => throw new TopologyException(file, at, $"unknown key; use {string.Join(", ", Keys)}"),
            };
        }

        return spec;
    }

    private static int Rate(JsonElement value, string file, string at) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0
            ? n
            : throw new TopologyException(file, at, "must be a whole number ≥ 0 (0 = no default limit)");
}

internal static class GatewayAccessComposer
{
    public const string AdminKeyFile = "admin-key";

    /// <summary>Turns access control on for the gateway, with its database: a SQLite file in the run directory, or PostgreSQL.</summary>
    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ServiceResource> gateway, GatewayAccessSpec access, string runDirectory,
        IResourceBuilder<ServiceResource>? simulator)
    {
        if (simulator is not null)
        {
            // A gateway opened to others keeps the simulator's fault API to the AppHost (its commands send the token).
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            simulator.WithEnvironment("Simulator__AdminToken", token).WithAnnotation(new SimulatorAdminToken(token));
        }

        var adminKey = access.AdminKey ?? AdminKey(builder, Path.Combine(runDirectory, "gateway"));
        gateway.WithEnvironment("Access__Enabled", "true")
            .WithEnvironment("Access__AdminKey", adminKey)
            .WithEnvironment("Access__Provider", access.Database)
            .WithEnvironment("Access__DefaultRequestsPerMinute", access.RequestsPerMinute.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Access__DefaultTokensPerMinute", access.TokensPerMinute.ToString(CultureInfo.InvariantCulture));
        if (access.Database == "postgres")
        {
            var postgres = builder.AddAccessPostgres("access-db", runDirectory);
            gateway.WithEnvironment("ConnectionStrings__access", postgres.ConnectionString).WaitFor(postgres.Resource);
        }
        else
        {
            gateway.WithEnvironment("ConnectionStrings__access", $"Data Source={Path.Combine(runDirectory, "gateway", "data", "access.db")}");
        }
    }

    /// <summary>The admin key of this run directory, made on first use and kept in a file only its owner reads.</summary>
    private static string AdminKey(IDistributedApplicationBuilder builder, string directory)
    {
        var file = Path.Combine(directory, AdminKeyFile);
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        var key = "lpa_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(file, key + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return key;
    }
}

/// <summary>The token the simulator's fault API wants (<c>Simulator:AdminToken</c>), for the AppHost's fault commands.</summary>
internal sealed record SimulatorAdminToken(string Token) : IResourceAnnotation
{
    public static string? Of(IResource simulator) => simulator.Annotations.OfType<SimulatorAdminToken>().LastOrDefault()?.Token;
}
