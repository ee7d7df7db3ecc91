using System.Globalization;
using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.SharedState;

/// <summary>
/// What replicas tell each other as it happens, over Redis pub/sub (at most once, no replay; nothing while Redis is
/// away, when each replica falls back to what it sees itself):
/// <list type="bullet">
/// <item><b>slot freed</b>: replicas share the orchestrators' slots but each keeps its own capacity queue and cooldowns.
/// Without a word from the others, a replica whose jobs wait sees a slot free only when its own attempt ends or its
/// cooldown runs out, and loses every race for it. So an attempt that ends at an orchestrator ends every other
/// replica's cooldown there for that (pipeline, model) and wakes the head of its line.</item>
/// <item><b>speed sample</b> (<see cref="SharedStateOptions.ShareSpeeds"/>): each finished job's seconds per unit of work,
/// folded into every replica's EWMA for that orchestrator, so adaptive learns from all replicas' jobs.</item>
/// </list>
/// </summary>
internal sealed class ReplicaRelay(IConnectionMultiplexer connection, SharedRedis redis, Cooldowns cooldowns, CapacityQueue queue, SpeedTracker speeds,
    IOptions<SharedStateOptions> options, ILogger<ReplicaRelay> logger) : IHostedService
{
    private const string SlotFreed = "slot";
    private const string Speed = "speed";

    private readonly string instance = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource stopping = new();

    private RedisChannel Channel => RedisChannel.Literal(redis.Prefix + "replicas");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cooldowns.Ended += PublishSlot;
        if (options.Value.ShareSpeeds)
        {
            speeds.Sampled += PublishSpeed;
        }

        _ = Task.Run(SubscribeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cooldowns.Ended -= PublishSlot;
        speeds.Sampled -= PublishSpeed;
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
                logger.LogDebug("replica relay not subscribed yet: {Error}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private void PublishSlot(string orchestrator, PipelineModel target) => Publish(SlotFreed, orchestrator, target, "");

    private void PublishSpeed(string orchestrator, PipelineModel target, double secondsPerUnit) =>
        Publish(Speed, orchestrator, target, secondsPerUnit.ToString("R", CultureInfo.InvariantCulture));

    private void Publish(string kind, string orchestrator, PipelineModel target, string value)
    {
        if (redis.Available)
        {
            connection.GetSubscriber().Publish(Channel, $"{instance}\n{kind}\n{target.Pipeline.Name}\n{target.ModelId}\n{orchestrator}\n{value}", CommandFlags.FireAndForget);
        }
    }

    private void Receive(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('\n');
        if (parts is not [var from, var kind, var pipelineName, var model, var orchestrator, var value] || !PipelineCatalog.TryGet(pipelineName, out var pipeline)
            || kind is not (SlotFreed or Speed))
        {
            logger.LogWarning("ignoring a message on {Channel} that is not a replica's (someone else publishing there?)", Channel);
            return;
        }

        if (from == instance)
        {
            return;
        }

        var target = new PipelineModel(pipeline, model);
        if (kind == SlotFreed)
        {
            cooldowns.EndFromPeer(orchestrator, target);
            queue.SlotFreed(target);
        }
        else if (options.Value.ShareSpeeds && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var secondsPerUnit))
        {
            speeds.RecordFromPeer(orchestrator, target, secondsPerUnit);
        }
    }
}
