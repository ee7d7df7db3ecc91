using System.Text.Json;
using LivepeerAspire.Runner.Ollama.Models;
using LivepeerAspire.Runner.Ollama.Ollama;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Ollama.Health;

/// <summary>
/// At start: waits for Ollama, pulls the tag if asked to and it is missing, then loads the model with an
/// empty chat so the first job does not pay the load. A failure is logged and never stops the shim;
/// /health then reports what Ollama actually has.
/// </summary>
internal sealed class ModelWarmer(
    OllamaClient ollama,
    ModelState state,
    ServedModel served,
    IOptions<OllamaRunnerOptions> options,
    TimeProvider time,
    ILogger<ModelWarmer> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.WarmOnStart && !o.PullMissingModel)
        {
            return;
        }

        state.SetLoading(o.WarmOnStart);
        try
        {
            var tags = await WaitForOllamaAsync(stoppingToken);
            if (o.PullMissingModel && !tags.Any(t => OllamaTagMap.SameTag(t, served.OllamaTag)))
            {
                state.SetPulling(true);
                logger.LogInformation("Pulling {Tag} into Ollama", served.OllamaTag);
                try
                {
                    await ollama.PullAsync(served.OllamaTag, stoppingToken);
                }
                finally
                {
                    state.SetPulling(false);
                }
            }

            if (o.WarmOnStart)
            {
                logger.LogInformation("Loading {Tag} into Ollama", served.OllamaTag);
                await ollama.LoadAsync(served.OllamaTag, served.KeepAlive, stoppingToken);
                logger.LogInformation("{Tag} is loaded", served.OllamaTag);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or JsonException)
        {
            logger.LogWarning("Warm-up of {Tag} failed: {Error}", served.OllamaTag, e.Message);
        }
        finally
        {
            state.SetLoading(false);
        }
    }

    private async Task<IReadOnlyList<string>> WaitForOllamaAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await ollama.ListTagsAsync(ct);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException)
            {
                logger.LogDebug("Ollama not reachable yet: {Error}", e.Message);
            }

            await Task.Delay(RetryDelay, time, ct);
        }
    }
}
