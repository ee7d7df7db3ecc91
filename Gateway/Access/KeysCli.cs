using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// <c>dotnet run --project Gateway -- keys create|list|revoke …</c> and <c>… usage</c>: a small client of a running
/// gateway's admin API, so the gateway's own key cache and spend stay the only truth.
/// </summary>
public static class KeysCli
{
    public const string Usage = """
        usage: Gateway keys create --name NAME [--budget 0.5USD|1000000wei|0.001eth] [--rpm N] [--tpm N]
               Gateway keys list
               Gateway keys revoke NAME
               Gateway usage [--period hour|day|total] [--from ISO-TIME] [--to ISO-TIME]
        common: [--gateway http://127.0.0.1:9935] [--admin-key KEY | --admin-key-file FILE]
                (or LIVEPEER_GATEWAY / LIVEPEER_ADMIN_KEY in the environment)
        """;

    public static bool Handles(string[] args) => args is ["keys", ..] or ["usage", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, HttpMessageHandler? handler = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    return Fail(error, $"{args[i]} needs a value");
                }

                options[args[i][2..]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        var gateway = options.GetValueOrDefault("gateway") ?? Environment.GetEnvironmentVariable("LIVEPEER_GATEWAY") ?? "http://127.0.0.1:9935";
        var adminKey = options.GetValueOrDefault("admin-key")
            ?? (options.TryGetValue("admin-key-file", out var file) ? (await File.ReadAllTextAsync(file).ConfigureAwait(false)).Trim() : null)
            ?? Environment.GetEnvironmentVariable("LIVEPEER_ADMIN_KEY");
        if (string.IsNullOrEmpty(adminKey))
        {
            return Fail(error, "the admin key is needed: --admin-key KEY, --admin-key-file FILE (the AppHost writes <run dir>/gateway/admin-key) or LIVEPEER_ADMIN_KEY");
        }

        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var baseUri))
        {
            return Fail(error, $"--gateway '{gateway}' is not an absolute URL");
        }

        HttpRequestMessage request;
        switch (positional)
        {
            case ["keys", "create"]:
                if (!options.TryGetValue("name", out var name))
                {
                    return Fail(error, "keys create needs --name NAME");
                }

                var body = new JsonObject { ["name"] = name };
                if (options.TryGetValue("budget", out var budget))
                {
                    body["budget"] = budget;
                }

                foreach (var (flag, field) in new[] { ("rpm", "requests_per_minute"), ("tpm", "tokens_per_minute") })
                {
                    if (options.TryGetValue(flag, out var text))
                    {
                        if (!int.TryParse(text, out var n))
                        {
                            return Fail(error, $"--{flag} '{text}' is not a whole number");
                        }

                        body[field] = n;
                    }
                }

                request = new HttpRequestMessage(HttpMethod.Post, "/admin/keys") { Content = JsonContent.Create(body) };
                break;
            case ["keys", "list"]:
                request = new HttpRequestMessage(HttpMethod.Get, "/admin/keys");
                break;
            case ["keys", "revoke", var revoked]:
                request = new HttpRequestMessage(HttpMethod.Delete, "/admin/keys/" + Uri.EscapeDataString(revoked));
                break;
            case ["usage"]:
                var query = string.Join("&", new[] { "period", "from", "to" }.Where(options.ContainsKey).Select(k => $"{k}={Uri.EscapeDataString(options[k])}"));
                request = new HttpRequestMessage(HttpMethod.Get, "/admin/usage" + (query.Length > 0 ? "?" + query : ""));
                break;
            default:
                return Fail(error, $"unknown command '{string.Join(' ', positional)}'");
        }

        using (request)
        using (var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false))
        {
            http.BaseAddress = baseUri;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"the gateway at {baseUri} did not answer: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var message = TryMessage(text) ?? text;
                    await error.WriteLineAsync($"{(int)response.StatusCode}: {message}").ConfigureAwait(false);
                    return 1;
                }

                await output.WriteLineAsync(JsonNode.Parse(text)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
                return 0;
            }
        }
    }

    private static string? TryMessage(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["detail"]?["msg"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        error.WriteLine(Usage);
        return 2;
    }
}
