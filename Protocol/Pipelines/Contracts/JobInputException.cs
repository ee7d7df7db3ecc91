namespace LivepeerAspire.Protocol.Pipelines.Contracts;

/// <summary>A request field that breaks the pipeline's contract; the message names the field and the limit and is the 400's text.</summary>
public sealed class JobInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
