namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>A profile or fleet file the simulator refuses: names the file, the JSON path and the reason.</summary>
public sealed class ConfigFileException(string file, string jsonPath, string reason)
    : Exception($"{file}: {jsonPath}: {reason}")
{
    public string File { get; } = file;
    public string JsonPath { get; } = jsonPath;
    public string Reason { get; } = reason;
}
