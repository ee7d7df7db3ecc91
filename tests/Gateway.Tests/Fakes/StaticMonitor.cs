using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Fakes;

/// <summary>Options that never change, for services built by hand.</summary>
public sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
