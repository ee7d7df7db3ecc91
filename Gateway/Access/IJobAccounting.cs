using LivepeerAspire.Gateway.Forwarding;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// The job path's one hook into access control. <see cref="Admit"/> runs once a job is parsed, before selection and
/// payment; <see cref="Record"/> once it has finished. The per-attempt budget reservation lives in the payment seam
/// (<see cref="BudgetedPaymentSender"/>). With access control off this is <see cref="OpenAccess"/>, which does nothing.
/// </summary>
public interface IJobAccounting
{
    /// <summary>Refuses the job with a <see cref="Api.GatewayError"/> (403 over budget, 429 over the token rate, 503 usage not recordable).</summary>
    void Admit(HttpContext context, GatewayJob job);

    void Record(GatewayJob job, DispatchOutcome outcome, int status, TimeSpan latency);
}

public sealed class OpenAccess : IJobAccounting
{
    public void Admit(HttpContext context, GatewayJob job)
    {
    }

    public void Record(GatewayJob job, DispatchOutcome outcome, int status, TimeSpan latency)
    {
    }
}
