namespace LivepeerAspire.Protocol.Wire;

/// <summary>The ai-runner and @livepeer/ai SDK error shape: <c>{"detail":{"msg":"…"}}</c>.</summary>
public sealed record RunnerError(RunnerErrorDetail Detail)
{
    public static RunnerError Of(string message) => new(new RunnerErrorDetail(message));
}

public sealed record RunnerErrorDetail(string Msg);

/// <summary>The OpenAI error shape: <c>{"error":{"message":"…","type":"…"}}</c>.</summary>
public sealed record OpenAiError(OpenAiErrorDetail Error)
{
    public static OpenAiError Of(string message, string type) => new(new OpenAiErrorDetail(message, type));
}

public sealed record OpenAiErrorDetail(string Message, string Type, string? Param = null, string? Code = null);
