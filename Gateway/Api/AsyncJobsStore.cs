using System.Text.Json;
using LivepeerAspire.Gateway.SharedState;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.Api;

/// <summary>
/// Where replicas publish async job states so any of them answers <c>/image-to-video/result</c>. The replica that took
/// the job writes "processing" before it answers 202 and the result when the job ends; a replica that does not know an
/// id asks here. Without Redis (or while it is away) results are fetched from the replica that took the job.
/// </summary>
internal interface IAsyncResultStore
{
    Task PublishRunningAsync(string id, TimeSpan ttl);

    Task PublishResultAsync(string id, JsonElement result, TimeSpan ttl);

    Task<AsyncJobState?> FindAsync(string id);
}

internal sealed class RedisAsyncResultStore(SharedRedis redis, ILogger<RedisAsyncResultStore> logger) : IAsyncResultStore
{
    private const string Processing = """{"status":"processing"}""";

    public Task PublishRunningAsync(string id, TimeSpan ttl) =>
        redis.TryAsync("publishing an async job", db => db.StringSetAsync(redis.Key("async", id), Processing, ttl));

    public Task PublishResultAsync(string id, JsonElement result, TimeSpan ttl) =>
        redis.TryAsync("publishing an async result", db => db.StringSetAsync(
            redis.Key("async", id), JsonSerializer.Serialize(new Stored("complete", result)), ttl));

    public async Task<AsyncJobState?> FindAsync(string id)
    {
        var key = redis.Key("async", id);
        var (ok, value) = await redis.TryAsync("reading an async result", db => db.StringGetAsync(key)).ConfigureAwait(false);
        if (!ok || value.IsNull)
        {
            return null;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<Stored>((string)value!);
            switch (stored?.Status)
            {
                case "processing":
                    return new AsyncJobState(false, null);
                case "complete" when stored.Result is { ValueKind: JsonValueKind.Object } result:
                    return new AsyncJobState(true, result);
            }
        }
        catch (JsonException)
        {
        }

        logger.LogWarning("ignoring Redis key {Key}: not an async job state (hand-edited?)", key);
        return null;
    }

    private sealed record Stored(
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("result")] JsonElement? Result);
}
