using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Pipelines;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.SharedState;

/// <summary>
/// Replicas share the orchestrators' slots but each keeps its own capacity queue and cooldowns: without a word from
/// the others, a replica whose jobs wait sees a slot free only when its own attempt ends or its cooldown runs out, and
/// loses every race for it. So an attempt that ends at an orchestrator is published (Redis pub/sub), and every other
/// replica ends its cooldown there and wakes the head of its line for that (pipeline, model). The rule: at most once,
/// no replay; while Redis is away nothing is relayed and each replica falls back to its own cooldown timers.
/// </summary>
internal sealed class SlotRelay(IConnectionMultiplexer connection, SharedRedis redis, Cooldowns cooldowns, CapacityQueue queue, ILogger<SlotRelay> logger)
    : IHostedService
{
    private readonly string instance = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource stopping = new();
    private RedisChannel Channel => RedisChannel.Literal(redis.Prefix + "slot-freed");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cooldowns.Ended += Publish;
        _ = Task.Run(SubscribeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cooldowns.Ended -= Publish;
        await stopping.CancelAsync().ConfigureAwait(false);
    }

    private async Task SubscribeAsync()
    {
        // The client re-subscribes by itself after a reconnect; only a first subscription made while Redis is away needs retrying.
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await connection.GetSubscriber().SubscribeAsync(Channel, (_, message) => Receive(message)).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogDebug("slot relay not subscribed yet: {Error}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private void Publish(string orchestrator, PipelineModel target)
    {
        if (redis.Available)
        {
            connection.GetSubscriber().Publish(Channel, $"{instance}\n{target.Pipeline.Name}\n{target.ModelId}\n{orchestrator}", CommandFlags.FireAndForget);
        }
    }

    private void Receive(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('\n');
        if (parts is not [var from, var pipelineName, var model, var orchestrator] || !PipelineCatalog.TryGet(pipelineName, out var pipeline))
        {
            logger.LogWarning("ignoring a slot-freed message that is not one (someone else publishing on {Channel}?)", Channel);
            return;
        }

        if (from == instance)
        {
            return;
        }

        var target = new PipelineModel(pipeline, model);
        cooldowns.EndFromPeer(orchestrator, target);
        queue.SlotFreed(target);
    }
}
