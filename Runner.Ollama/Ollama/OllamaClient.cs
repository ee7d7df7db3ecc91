using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Wire;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Ollama.Ollama;

/// <summary>The few Ollama API calls the shim makes. Base URLs with a path prefix are supported.</summary>
internal sealed class OllamaClient
{
    private readonly HttpClient _http;

    public OllamaClient(HttpClient http, IOptions<OllamaRunnerOptions> options)
    {
        _http = http;
        var baseUrl = options.Value.BaseUrl.TrimEnd('/') + "/";
        BaseUri = new Uri(baseUrl, UriKind.Absolute);
    }

    public Uri BaseUri { get; }

    /// <summary>Starts /api/chat and returns once the status line and headers have arrived.</summary>
    public async Task<OllamaChatStart> StartChatAsync(OllamaChatRequest request, CancellationToken ct)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, "api/chat"))
        {
            Content = Json(request),
        };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            return OllamaChatStart.Failed(HttpStatusCode.BadGateway, $"Ollama is unreachable at {BaseUri}: {e.Message}");
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                return OllamaChatStart.Failed(response.StatusCode, ErrorText(text));
            }
        }

        var stream = await response.Content.ReadAsStreamAsync(ct);
        return OllamaChatStart.Started(new OllamaChatStream(response, stream));
    }

    /// <summary>The models Ollama has loaded (/api/ps) with the VRAM each holds; throws when Ollama cannot be reached.</summary>
    public async Task<IReadOnlyList<OllamaModel>> ListRunningAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(BaseUri, "api/ps"), ct);
        response.EnsureSuccessStatusCode();
        var list = await response.Content.ReadFromJsonAsync<OllamaModelList>(WireJson.Options, ct);
        return list?.Models ?? [];
    }

    /// <summary>Names of the models Ollama has locally (/api/tags); throws when Ollama cannot be reached.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(BaseUri, "api/tags"), ct);
        response.EnsureSuccessStatusCode();
        var list = await response.Content.ReadFromJsonAsync<TagList>(WireJson.Options, ct);
        return list?.Models?.Select(m => m.Name ?? m.Model ?? "").Where(n => n.Length > 0).ToList() ?? [];
    }

    public async Task PullAsync(string tag, CancellationToken ct)
    {
        using var response = await _http.PostAsync(new Uri(BaseUri, "api/pull"), Json(new { model = tag, stream = false }), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"pull of '{tag}' failed: {(int)response.StatusCode} {ErrorText(await response.Content.ReadAsStringAsync(ct))}");
        }
    }

    /// <summary>Loads a model without generating (an empty chat, which Ollama answers with done_reason "load").</summary>
    public async Task LoadAsync(string tag, JsonElement keepAlive, CancellationToken ct)
    {
        var request = new OllamaChatRequest { Model = tag, Messages = [], Stream = false, KeepAlive = keepAlive };
        using var response = await _http.PostAsync(new Uri(BaseUri, "api/chat"), Json(request), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"load of '{tag}' failed: {(int)response.StatusCode} {ErrorText(await response.Content.ReadAsStringAsync(ct))}");
        }
    }

    private static StringContent Json<T>(T body)
    {
        var content = new StringContent(JsonSerializer.Serialize(body, WireJson.Options), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>Ollama errors are <c>{"error":"…"}</c>; anything else is shown as it came.</summary>
    internal static string ErrorText(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String)
            {
                return error.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        return body.Trim();
    }

    private sealed record TagList(List<TagEntry>? Models);

    private sealed record TagEntry(string? Name, string? Model);
}

internal sealed class OllamaChatStart
{
    private OllamaChatStart(OllamaChatStream? stream, HttpStatusCode status, string? error)
    {
        Stream = stream;
        Status = status;
        Error = error;
    }

    public OllamaChatStream? Stream { get; }
    public HttpStatusCode Status { get; }
    public string? Error { get; }

    public static OllamaChatStart Started(OllamaChatStream stream) => new(stream, HttpStatusCode.OK, null);

    public static OllamaChatStart Failed(HttpStatusCode status, string error) => new(null, status, error);
}

/// <summary>Reads /api/chat NDJSON lines; a line that is not JSON is reported as an error line.</summary>
internal sealed class OllamaChatStream(HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8);

    /// <summary>The next line, or null at the end of the body.</summary>
    public async Task<OllamaChatLine?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                return JsonSerializer.Deserialize<OllamaChatLine>(line, WireJson.Options)
                    ?? new OllamaChatLine { Error = "Ollama sent a null line" };
            }
            catch (JsonException e)
            {
                return new OllamaChatLine { Error = $"Ollama sent a line that is not valid JSON: {e.Message}" };
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
