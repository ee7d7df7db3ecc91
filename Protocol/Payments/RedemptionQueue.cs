using System.Collections.Concurrent;
using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>A winning ticket waiting for redemption, with the secret that proves it won.</summary>
public sealed record WinningTicket(Ticket Ticket, byte[] Signature, BigInteger RecipientRand, BigInteger ParamsExpirationBlock);

/// <summary>
/// Winning tickets of one orchestrator, redeemed on the ledger only once their params have expired (revealing
/// recipientRand earlier would let the sender choose nonces that lose), as go-livepeer's pm queue does. With a
/// <see cref="WinningTicketFile"/> the queue starts from the tickets saved there and saves every change, so a restart
/// redeems what the last run won.
/// </summary>
public sealed class RedemptionQueue(ILedger ledger, Action<string>? log = null, WinningTicketFile? store = null)
{
    private readonly ConcurrentDictionary<string, WinningTicket> tickets = new((store?.Load() ?? []).Select(t => KeyValuePair.Create(Key(t), t)));
    private readonly Lock saving = new();
    private readonly SemaphoreSlim redeeming = new(1, 1);
    private long redeemed;
    private long failed;
    private BigInteger redeemedFaceValue;
    private readonly object totalsLock = new();
    private readonly ConcurrentDictionary<string, long> failures = new();

    public int Count => tickets.Count;

    public long Redeemed => Interlocked.Read(ref redeemed);

    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Refused redemptions by the ledger's reason (on a chain: the contract's revert reason).</summary>
    public IReadOnlyDictionary<string, long> FailedByReason => new Dictionary<string, long>(failures);

    public BigInteger RedeemedFaceValue
    {
        get
        {
            lock (totalsLock)
            {
                return redeemedFaceValue;
            }
        }
    }

    public bool Enqueue(WinningTicket ticket)
    {
        if (!tickets.TryAdd(Key(ticket), ticket))
        {
            return false;
        }

        Save();
        return true;
    }

    /// <summary>Face value of this sender's tickets not yet redeemed (go's pendingAmount).</summary>
    public BigInteger PendingFaceValue(EthAddress sender)
    {
        var sum = BigInteger.Zero;
        foreach (var t in tickets.Values)
        {
            if (t.Ticket.Sender == sender)
            {
                sum += t.Ticket.FaceValue;
            }
        }

        return sum;
    }

    /// <summary>Redeems every ticket whose params expiration block has passed; failed tickets are dropped with a log line.</summary>
    public async Task<IReadOnlyList<(WinningTicket Ticket, RedeemResult Result)>> RedeemDueAsync(CancellationToken cancellationToken = default)
    {
        await redeeming.WaitAsync(cancellationToken);
        try
        {
            var head = await ledger.GetHeadAsync(cancellationToken);
            var results = new List<(WinningTicket, RedeemResult)>();
            var removed = false;
            try
            {
                foreach (var (key, ticket) in tickets.OrderBy(t => t.Value.ParamsExpirationBlock))
                {
                    if (ticket.ParamsExpirationBlock > head.BlockNumber)
                    {
                        continue;
                    }

                    var result = await ledger.RedeemWinningTicketAsync(ticket.Ticket, ticket.Signature, ticket.RecipientRand, cancellationToken);
                    removed |= tickets.TryRemove(key, out _);
                    results.Add((ticket, result));
                    if (result.Redeemed)
                    {
                        Interlocked.Increment(ref redeemed);
                        lock (totalsLock)
                        {
                            redeemedFaceValue += ticket.Ticket.FaceValue;
                        }

                        var transaction = result.TransactionHash is { } tx ? $" in transaction {tx}" : "";
                        log?.Invoke($"redeemed winning ticket from {ticket.Ticket.Sender} nonce {ticket.Ticket.SenderNonce}: face value {ticket.Ticket.FaceValue} wei, paid {result.Paid} wei{transaction}");
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                        failures.AddOrUpdate(result.Error ?? "unknown", 1, (_, n) => n + 1);
                        log?.Invoke($"winning ticket from {ticket.Ticket.Sender} nonce {ticket.Ticket.SenderNonce} not redeemed: {result.Error}");
                    }
                }
            }
            finally
            {
                // One rewrite per round, also when the ledger fails half-way: a ticket redeemed but still in the file
                // after a crash is refused by the ledger as already redeemed on the next round, never paid twice.
                if (removed)
                {
                    Save();
                }
            }

            return results;
        }
        finally
        {
            redeeming.Release();
        }
    }

    private static string Key(WinningTicket ticket) => Convert.ToHexString(ticket.Ticket.Hash());

    private void Save()
    {
        if (store is null)
        {
            return;
        }

        lock (saving)
        {
            store.Save(tickets.Values);
        }
    }

    /// <summary>Redeems due tickets every <paramref name="interval"/> until cancelled (run it as a background task).</summary>
    public async Task RunAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await RedeemDueAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log?.Invoke($"redemption round failed, will retry: {e.Message}");
            }
        }
    }
}
