namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>How a failed attempt is handled (go-livepeer processAIRequest's error classes, plus timeouts).</summary>
public enum FailureKind
{
    /// <summary>"insufficient capacity": another orchestrator, no suspension, short cooldown.</summary>
    Capacity,

    /// <summary>"ticketparams expired" / "invalid ticket sendernonce": another orchestrator, no suspension, short cooldown.</summary>
    Ticket,

    /// <summary>The orchestrator says the request itself is bad ("returned 400"-style): the client gets the 4xx.</summary>
    BadRequest,

    /// <summary>The attempt (or its first token) did not finish in time: suspend, try another.</summary>
    Timeout,

    /// <summary>Anything else (5xx, refused connection, garbage): suspend, try another.</summary>
    Error,

    /// <summary>Pay per progress: its measured steps/s cannot finish before the deadline; try another, no suspension.</summary>
    TooSlow,
}

public static class ErrorClassifier
{
    /// <summary>Classifies an orchestrator's non-200 reply; matching is lower-cased substring as in go-livepeer.</summary>
    public static FailureKind Classify(int status, string body)
    {
        var text = body.ToLowerInvariant();
        if (text.Contains("insufficient capacity", StringComparison.Ordinal))
        {
            return FailureKind.Capacity;
        }

        if (text.Contains("ticketparams expired", StringComparison.Ordinal) || text.Contains("invalid ticket sendernonce", StringComparison.Ordinal))
        {
            return FailureKind.Ticket;
        }

        if (status is 400 or 413 or 415 or 422 || body.Contains("returned 400", StringComparison.Ordinal))
        {
            return FailureKind.BadRequest;
        }

        return FailureKind.Error;
    }

    /// <summary>Pulls the message out of <c>{"detail":{"msg"}}</c>, <c>{"error":{"message"}}</c> or plain text.</summary>
    public static string MessageOf(string body)
    {
        var trimmed = body.TrimEnd('\n', '\r', ' ');
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(trimmed);
            var root = doc.RootElement;
            if (root.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                if (root.TryGetProperty("detail", out var detail))
                {
                    if (detail.ValueKind == System.Text.Json.JsonValueKind.Object && detail.TryGetProperty("msg", out var msg))
                    {
                        return msg.ToString();
                    }

                    return detail.ToString();
                }

                if (root.TryGetProperty("error", out var error))
                {
                    return error.ValueKind == System.Text.Json.JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return trimmed.Length > 500 ? trimmed[..500] : trimmed;
    }
}
