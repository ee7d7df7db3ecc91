namespace LivepeerAspire.Protocol.Media;

/// <summary>An uploaded file that cannot be used: the form part and the reason, which a 400 answer carries.</summary>
public sealed class MediaException(string part, string reason) : Exception($"{part}: {reason}")
{
    public string Part { get; } = part;

    public string Reason { get; } = reason;
}

/// <summary>The host lacks what reads a medium (ffprobe); a server-side failure, not the client's.</summary>
public sealed class MediaToolMissingException(string message) : Exception(message);
