namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// One attempt as YARP's forwarder sees it: a private <see cref="HttpContext"/> whose response body is where the
/// orchestrator's answer lands (a buffer, or the SSE relay), carrying the attempt for <see cref="AttemptTransformer"/>.
/// The client's own context is never handed to the forwarder: hedged attempts run at once, a failed answer must
/// not touch the client, and a broken upstream body must still end the client's stream with an error chunk
/// (the forwarder aborts the context it was given).
/// </summary>
internal sealed class AttemptExchange
{
    private AttemptExchange(Attempt attempt, Stream responseBody)
    {
        Attempt = attempt;
        Destination = RouteOf(attempt.Session.ServiceUri, attempt.Job.Pipeline.Route);
        Context = new DefaultHttpContext();
        Context.Request.Method = HttpMethods.Post;
        // YARP reads the request body from the context: each attempt replays the one buffered body, without a copy.
        Context.Request.Body = new MemoryStream(attempt.Job.Body, writable: false);
        Context.Request.ContentLength = attempt.Job.Body.Length;
        Context.Response.Body = responseBody;
        Context.Features.Set(this);
    }

    public Attempt Attempt { get; }

    public static Uri RouteOf(Uri serviceUri, string route) => new(serviceUri.ToString().TrimEnd('/') + route);

    public Uri Destination { get; }

    public HttpContext Context { get; }

    /// <summary>Set by the transformer for a non-200 answer, which is read and classified instead of forwarded.</summary>
    public AttemptResult? Refused { get; set; }

    public static AttemptExchange Buffered(Attempt attempt) => new(attempt, new MemoryStream());

    public static AttemptExchange Relayed(Attempt attempt, Stream relay) => new(attempt, relay);

    /// <summary>Why the forwarder gave up, when it did: the exception's message (e.g. "Connection refused").</summary>
    public string ErrorMessage(Yarp.ReverseProxy.Forwarder.ForwarderError error)
    {
        var exception = Context.Features.Get<Yarp.ReverseProxy.Forwarder.IForwarderErrorFeature>()?.Exception;
        while (exception is AggregateException { InnerException: { } inner })
        {
            exception = inner;
        }

        return exception?.Message ?? error.ToString();
    }

    /// <summary>The buffered 200 body, without a copy when the orchestrator declared its length.</summary>
    public byte[] BufferedBody()
    {
        var buffer = (MemoryStream)Context.Response.Body;
        return buffer.TryGetBuffer(out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : buffer.ToArray();
    }
}
