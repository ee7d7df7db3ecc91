using System.Numerics;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Sessions;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>What one attempt at one orchestrator came to.</summary>
public sealed record AttemptResult
{
    public bool Ok { get; init; }

    public FailureKind? Failure { get; init; }

    /// <summary>The orchestrator's HTTP status, or 0 when there was none (timeout, refused connection).</summary>
    public int Status { get; init; }

    public string Message { get; init; } = "";

    public byte[]? Body { get; init; }

    /// <summary>Bytes were already written to the client (a started stream): no other orchestrator may take over.</summary>
    public bool Committed { get; init; }

    /// <summary>Work actually done when the answer says so (LLM usage.total_tokens).</summary>
    public double? ActualWork { get; init; }

    public TimeSpan? TimeToFirstToken { get; init; }

    public static AttemptResult Success(byte[]? body, double? actualWork = null, bool committed = false, TimeSpan? ttft = null) =>
        new() { Ok = true, Body = body, ActualWork = actualWork, Committed = committed, TimeToFirstToken = ttft };

    public static AttemptResult Fail(FailureKind kind, int status, string message, bool committed = false, TimeSpan? ttft = null) =>
        new() { Failure = kind, Status = status, Message = message, Committed = committed, TimeToFirstToken = ttft };
}

/// <summary>One attempt as the dispatcher hands it to the sender.</summary>
public sealed record Attempt(GatewayJob Job, AiSession Session, PaymentTicket Payment, int Number, TimeSpan Timeout)
{
    /// <summary>Set when this attempt runs as an interactive job (pay per progress).</summary>
    public ProgressAttempt? Progress { get; init; }
}

/// <summary>The result of a whole job after failover.</summary>
public sealed record DispatchOutcome
{
    public bool Ok { get; init; }

    public int Status { get; init; } = 200;

    public string Message { get; init; } = "";

    public byte[]? Body { get; init; }

    public AiSession? Session { get; init; }

    public int Attempts { get; init; }

    public BigInteger Fee { get; init; }

    public bool Committed { get; init; }

    public TimeSpan? TimeToFirstToken { get; init; }

    public IReadOnlyList<string> FailoverReasons { get; init; } = [];

    /// <summary>Set on a 503 from the capacity queue: when the client may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
