namespace LivepeerAspire.Runner.Ollama.Health;

/// <summary>What the shim itself is doing to the model: pulling it or loading it into Ollama.</summary>
internal sealed class ModelState
{
    private volatile bool _pulling;
    private volatile bool _loading;

    public bool Pulling => _pulling;
    public bool Loading => _loading;

    public void SetPulling(bool value) => _pulling = value;

    public void SetLoading(bool value) => _loading = value;
}
