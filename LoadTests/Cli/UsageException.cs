namespace LivepeerAspire.LoadTests;

/// <summary>Bad input from the person running the tool: printed as one line, exit code 2, no stack trace.</summary>
public sealed class UsageException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
