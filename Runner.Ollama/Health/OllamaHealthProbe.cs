using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Ollama.Models;
using LivepeerAspire.Runner.Ollama.Ollama;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Ollama.Health;

/// <summary>The answer to ai-runner /health: an HTTP status and the body's status value.</summary>
public readonly record struct HealthAnswer(int HttpStatus, string Status, string Reason);

/// <summary>
/// Probes Ollama for /health. Unreachable → HTTP 503 with ERROR: go-livepeer keeps polling a non-200 until
/// its 2-minute budget runs out, so an Ollama that starts a little later is still accepted. Reachable but
/// the tag is absent and nobody is pulling it → 200 ERROR, which makes go-livepeer abort start-up (the
/// model will not appear by itself). A pull or a load by the shim → LOADING. Otherwise OK.
/// </summary>
internal sealed class OllamaHealthProbe(OllamaClient ollama, ModelState state, ServedModel served, IOptions<OllamaRunnerOptions> options)
{
    public async Task<HealthAnswer> CheckAsync(CancellationToken ct)
    {
        IReadOnlyList<string> tags;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.HealthProbeTimeout);
            tags = await ollama.ListTagsAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            return new HealthAnswer(StatusCodes.Status503ServiceUnavailable, HealthCheck.Error, $"Ollama at {ollama.BaseUri} is unreachable: {e.Message}");
        }

        var present = tags.Any(t => OllamaTagMap.SameTag(t, served.OllamaTag) || string.Equals(t, served.ModelId, StringComparison.OrdinalIgnoreCase));
        if (!present)
        {
            return state.Pulling
                ? new HealthAnswer(StatusCodes.Status200OK, HealthCheck.Loading, $"pulling {served.OllamaTag}")
                : new HealthAnswer(StatusCodes.Status200OK, HealthCheck.Error,
                    $"Ollama has no model '{served.OllamaTag}' (for {served.ModelId}); run `ollama pull {served.OllamaTag}` or set OllamaRunner:PullMissingModel=true");
        }

        return state.Loading || state.Pulling
            ? new HealthAnswer(StatusCodes.Status200OK, HealthCheck.Loading, $"loading {served.OllamaTag}")
            : new HealthAnswer(StatusCodes.Status200OK, HealthCheck.Ok, "ready");
    }
}
