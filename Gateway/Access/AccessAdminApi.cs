using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LivepeerAspire.Gateway.Access.Storage;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// <c>POST/GET /admin/keys</c>, <c>DELETE /admin/keys/{name}</c> and <c>GET /admin/usage</c>, behind the admin key
/// (<see cref="AccessMiddleware"/>). With access control off they answer 404 saying so.
/// </summary>
public static partial class AccessAdminApi
{
    private static readonly Dictionary<string, long> Periods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hour"] = 3_600_000,
        ["day"] = 86_400_000,
        ["total"] = long.MaxValue,
    };

    public static IEndpointRouteBuilder MapAccessAdminApi(this IEndpointRouteBuilder app, bool enabled)
    {
        if (!enabled)
        {
            foreach (var pattern in new[] { "/admin/keys", "/admin/keys/{name}", "/admin/usage" })
            {
                app.Map(pattern, (HttpContext context) => ErrorWriter.Livepeer(context, StatusCodes.Status404NotFound,
                    "access control is off on this gateway (Access:Enabled=false): there are no API keys or usage records"));
            }

            return app;
        }

        app.MapPost("/admin/keys", CreateAsync);
        app.MapGet("/admin/keys", (KeyRegistry keys, SpendLedger ledger, KeyRateLimits limits) =>
            Results.Json(new JsonArray(keys.All.Select(k => (JsonNode)View(k, ledger, limits)).ToArray())));
        app.MapDelete("/admin/keys/{name}", RevokeAsync);
        app.MapGet("/admin/usage", UsageAsync);
        return app;
    }

    private static async Task CreateAsync(HttpContext context, IAccessStore store, KeyRegistry keys, SpendLedger ledger, KeyRateLimits limits, TimeProvider time, ILoggerFactory logs)
    {
        JsonObject body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false)
                ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            await ErrorWriter.Livepeer(context, 400, "request body must be a JSON object such as {\"name\":\"app-1\",\"budget\":\"0.5USD\",\"requests_per_minute\":60}").ConfigureAwait(false);
            return;
        }

        var errors = new List<string>();
        var name = body["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s : null;
        if (name is null || !KeyName().IsMatch(name))
        {
            errors.Add("name is required: 1 to 64 letters, digits, '.', '_' or '-'");
        }

        string? budget = null;
        if (body["budget"] is { } b)
        {
            var text = b.GetValueKind() is JsonValueKind.Number or JsonValueKind.String ? b.ToString() : null;
            if (!KeyBudget.TryParse(text, out _, out var budgetError))
            {
                errors.Add(budgetError!);
            }
            else
            {
                budget = text!.Trim();
            }
        }

        var rpm = Limit(body, "requests_per_minute", errors);
        var tpm = Limit(body, "tokens_per_minute", errors);
        foreach (var unknown in body.Select(p => p.Key).Except(["name", "budget", "requests_per_minute", "tokens_per_minute"]))
        {
            errors.Add($"unknown field '{unknown}'; use name, budget, requests_per_minute, tokens_per_minute");
        }

        if (errors.Count > 0)
        {
            await ErrorWriter.Livepeer(context, 400, string.Join("; ", errors)).ConfigureAwait(false);
            return;
        }

        var secret = ApiKeys.Generate();
        var key = new AccessKey
        {
            Id = ApiKeys.NewId(),
            Name = name!,
            KeyHash = ApiKeys.Hash(secret),
            Budget = budget,
            RequestsPerMinute = rpm,
            TokensPerMinute = tpm,
            Created = time.GetUtcNow(),
        };
        try
        {
            await store.InsertKeyAsync(key, context.RequestAborted).ConfigureAwait(false);
        }
        catch (DuplicateKeyNameException e)
        {
            await ErrorWriter.Livepeer(context, StatusCodes.Status409Conflict, e.Message).ConfigureAwait(false);
            return;
        }
        catch (DbException e)
        {
            await ErrorWriter.Livepeer(context, StatusCodes.Status503ServiceUnavailable, "the access database does not answer: " + e.Message).ConfigureAwait(false);
            return;
        }

        keys.Put(key);
        logs.CreateLogger("LivepeerAspire.Gateway.Access").LogInformation("API key {Name} ({Id}) created, budget {Budget}", key.Name, key.Id, key.Budget ?? "none");
        var view = View(key, ledger, limits);
        view["key"] = secret;
        context.Response.StatusCode = StatusCodes.Status201Created;
        await context.Response.WriteAsJsonAsync(view, WireJson.Options, "application/json", context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RevokeAsync(HttpContext context, string name, IAccessStore store, KeyRegistry keys, SpendLedger ledger, KeyRateLimits limits, TimeProvider time, ILoggerFactory logs)
    {
        var at = time.GetUtcNow();
        bool found;
        try
        {
            found = await store.RevokeAsync(name, at, context.RequestAborted).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            await ErrorWriter.Livepeer(context, StatusCodes.Status503ServiceUnavailable, "the access database does not answer: " + e.Message).ConfigureAwait(false);
            return;
        }

        if (!found || keys.ByName(name) is not { } key)
        {
            await ErrorWriter.Livepeer(context, StatusCodes.Status404NotFound, $"no API key named '{name}'").ConfigureAwait(false);
            return;
        }

        if (key.Revoked is null)
        {
            key = key with { Revoked = at };
            keys.Put(key);
            logs.CreateLogger("LivepeerAspire.Gateway.Access").LogInformation("API key {Name} ({Id}) revoked", key.Name, key.Id);
        }

        await context.Response.WriteAsJsonAsync(View(key, ledger, limits), WireJson.Options, "application/json", context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task UsageAsync(HttpContext context, IAccessStore store, UsageRecorder recorder, KeyRegistry keys, TimeProvider time)
    {
        var query = context.Request.Query;
        var period = query["period"].ToString() is { Length: > 0 } p ? p : "day";
        var errors = new List<string>();
        if (!Periods.TryGetValue(period, out var periodMs))
        {
            errors.Add($"period '{period}' is not one of hour, day, total");
        }

        var from = Instant(query["from"].ToString(), DateTimeOffset.UnixEpoch, "from", errors);
        var to = Instant(query["to"].ToString(), time.GetUtcNow().AddSeconds(1), "to", errors);
        if (errors.Count > 0)
        {
            await ErrorWriter.Livepeer(context, 400, string.Join("; ", errors)).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<UsageTotal> totals;
        try
        {
            await recorder.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            totals = await store.TotalsAsync(from, to, periodMs, context.RequestAborted).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            await ErrorWriter.Livepeer(context, StatusCodes.Status503ServiceUnavailable, $"the access database does not answer ({recorder.Pending} usage rows waiting): {e.Message}").ConfigureAwait(false);
            return;
        }

        var names = keys.All.ToDictionary(k => k.Id, k => k.Name, StringComparer.Ordinal);
        var rows = new JsonArray(totals.Select(t => (JsonNode)new JsonObject
        {
            ["key"] = names.GetValueOrDefault(t.KeyId, t.KeyId),
            ["key_id"] = t.KeyId,
            ["period_start"] = period == "total" ? null : t.PeriodStart.ToString("O", CultureInfo.InvariantCulture),
            ["jobs"] = t.Jobs,
            ["succeeded"] = t.Succeeded,
            ["fee_wei"] = t.FeeWei.ToString(CultureInfo.InvariantCulture),
            ["mean_latency_ms"] = Math.Round(t.MeanLatencyMs, 1),
        }).ToArray());
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["period"] = period,
            ["from"] = from.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = to.ToString("O", CultureInfo.InvariantCulture),
            ["totals"] = rows,
        }, context.RequestAborted).ConfigureAwait(false);
    }

    public static JsonObject View(AccessKey key, SpendLedger ledger, KeyRateLimits limits)
    {
        var (spent, reserved) = ledger.Of(key.Id);
        return new JsonObject
        {
            ["id"] = key.Id,
            ["name"] = key.Name,
            ["budget"] = key.Budget,
            ["budget_wei"] = ledger.BudgetWei(key)?.ToString(CultureInfo.InvariantCulture),
            ["spent_wei"] = spent.ToString(CultureInfo.InvariantCulture),
            ["reserved_wei"] = reserved.ToString(CultureInfo.InvariantCulture),
            ["requests_per_minute"] = limits.RequestsPerMinute(key),
            ["tokens_per_minute"] = limits.TokensPerMinute(key),
            ["created"] = key.Created.ToString("O", CultureInfo.InvariantCulture),
            ["revoked"] = key.Revoked?.ToString("O", CultureInfo.InvariantCulture),
        };
    }

    private static int? Limit(JsonObject body, string field, List<string> errors)
    {
        if (body[field] is not { } node)
        {
            return null;
        }

        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var value) && value > 0)
        {
            return value;
        }

        errors.Add($"{field} must be a positive whole number (leave it out for the gateway's default)");
        return null;
    }

    private static DateTimeOffset Instant(string text, DateTimeOffset fallback, string name, List<string> errors)
    {
        if (text.Length == 0)
        {
            return fallback;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }

        errors.Add($"{name} '{text}' is not a date and time such as 2026-12-07T00:00:00Z");
        return fallback;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex KeyName();
}
