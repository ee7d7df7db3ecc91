using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Forwarding;

internal static class LlmAnswers
{
    /// <summary>A streamed chunk carries a delta, a whole answer a message; the runner sends the other as null, which is dropped.</summary>
    public static LlmResponse Clean(LlmResponse chunk) => chunk with
    {
        Choices = chunk.Choices.Select(c => c with { FinishReason = c.FinishReason ?? "" }).ToList(),
    };
}
