namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// A named set of environment variables for the gateway, e.g. <c>tight:Timeouts__ImageToVideoSeconds=60;Timeouts__FirstTokenSeconds=2</c>.
/// The settings go into the gateway's environment in the topology, so each setting needs its own network.
/// </summary>
public sealed record GatewaySetting(string Name, IReadOnlyDictionary<string, string> Environment)
{
    public static GatewaySetting Default { get; } = new("default", new Dictionary<string, string>());

    public static GatewaySetting Parse(string text, string option)
    {
        var colon = text.IndexOf(':');
        var name = colon > 0 ? text[..colon].Trim() : "";
        if (name.Length == 0)
        {
            throw new UsageException($"bad {option} '{text}': write name:KEY=VALUE;KEY=VALUE, e.g. tight:Timeouts__DefaultSeconds=20");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text[(colon + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"bad {option} '{text}': '{pair}' is not KEY=VALUE");
            }

            env[pair[..eq]] = pair[(eq + 1)..];
        }

        return new GatewaySetting(name, env);
    }

    public string Describe() => Environment.Count == 0 ? "gateway defaults" : string.Join("; ", Environment.Select(kv => $"{kv.Key}={kv.Value}"));
}
