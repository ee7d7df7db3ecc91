using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// Everything an orchestrator process needs for payments, built once at start-up: the ticket issuer for
/// /getOrchestrator, the receiver for job requests, and the redemption queue to run in the background.
/// </summary>
public sealed class OrchestratorPayments
{
    private OrchestratorPayments(TicketIssuer issuer, PaymentReceiver receiver, RedemptionQueue redemptions)
    {
        Issuer = issuer;
        Receiver = receiver;
        Redemptions = redemptions;
    }

    public TicketIssuer Issuer { get; }

    public PaymentReceiver Receiver { get; }

    public RedemptionQueue Redemptions { get; }

    /// <param name="account">The orchestrator's key (ticket recipient).</param>
    /// <param name="ledger">The shared ledger.</param>
    /// <param name="options">Bound from the <c>TicketIssuer</c> section.</param>
    /// <param name="time">Drives balance expiry.</param>
    /// <param name="log">Receives redemption log lines.</param>
    /// <param name="crypto">Defaults to <see cref="Secp256k1.Default"/>.</param>
    /// <param name="random">Seeds of ticket params; pass a seeded one in tests.</param>
    /// <param name="winningTickets">Where unredeemed winning tickets are kept across restarts; null keeps them in memory only.</param>
    public static OrchestratorPayments Create(EthAccount account, ILedger ledger, TicketIssuerOptions options, TimeProvider time,
        Action<string>? log = null, ISecp256k1? crypto = null, Random? random = null, WinningTicketFile? winningTickets = null)
    {
        var queue = new RedemptionQueue(ledger, log, winningTickets);
        if (winningTickets is not null && queue.Count > 0)
        {
            log?.Invoke($"{queue.Count} winning ticket(s) from an earlier run loaded from {winningTickets.Path}; they are redeemed once their params expire");
        }

        var issuer = new TicketIssuer(account.Address, RecipientSecret.Generate(), ledger, options, queue, random);
        var receiver = new PaymentReceiver(issuer, ledger, new SenderKeyCache(crypto ?? Secp256k1.Default), queue, new Balances(time));
        return new OrchestratorPayments(issuer, receiver, queue);
    }
}
