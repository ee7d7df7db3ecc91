namespace LivepeerAspire.Orchestrator.Models;

/// <summary>The aiModels file cannot be used; the message names the file and the entry.</summary>
public sealed class AiModelsException(string message) : Exception(message);
