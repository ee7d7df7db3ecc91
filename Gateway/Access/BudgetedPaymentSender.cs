using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Payments;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Wraps the gateway's payment sender when access control is on: after the sender has priced an attempt and before
/// anything is sent, the fee is reserved against the caller's budget; over budget, the tickets are handed back
/// (<see cref="PaymentOutcome.Refused"/>: nothing was sent) and the job ends with 403. Settling the attempt charges the
/// key when it served the job and releases the reservation otherwise.
/// </summary>
public sealed class BudgetedPaymentSender(IPaymentSender inner, SpendLedger ledger) : IPaymentSender
{
    public async ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        var ticket = await inner.PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        if (CallerContext.Current is not { } caller)
        {
            return ticket;
        }

        if (!ledger.TryReserve(caller, ticket.FeeWei, out var why))
        {
            inner.Complete(ticket, PaymentOutcome.Refused);
            throw new GatewayError(StatusCodes.Status403Forbidden, why);
        }

        return ticket with { State = new Reservation(caller.Id, ticket) };
    }

    public void Complete(PaymentTicket ticket, PaymentOutcome outcome)
    {
        if (ticket.State is not Reservation reservation)
        {
            inner.Complete(ticket, outcome);
            return;
        }

        inner.Complete(reservation.Inner, outcome);
        ledger.Settle(reservation.KeyId, reservation.Inner.FeeWei, charged: outcome == PaymentOutcome.Succeeded);
    }

    private sealed record Reservation(string KeyId, PaymentTicket Inner);
}
