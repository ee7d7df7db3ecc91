using Microsoft.Extensions.Configuration;

namespace LivepeerAspire.ServiceDefaults;

/// <summary>
/// Reads peers the way .NET Aspire passes them: <c>services__{name}__http__0=http://127.0.0.1:port</c>,
/// which configuration exposes as <c>services:{name}:http:0</c>.
/// </summary>
public static class ServiceReferences
{
    /// <summary>The service's http endpoint, else its https one; <paramref name="preferHttps"/> turns the order round.</summary>
    public static Uri? Find(IConfiguration configuration, string serviceName, bool preferHttps = false)
    {
        var http = configuration[$"services:{serviceName}:http:0"];
        var https = configuration[$"services:{serviceName}:https:0"];
        var value = preferHttps ? https ?? http : http ?? https;
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>Every referenced service whose name starts with <paramref name="prefix"/>, in name order.</summary>
    public static IReadOnlyList<(string Name, Uri Url)> FindAll(IConfiguration configuration, string prefix, bool preferHttps = false) =>
        configuration.GetSection("services").GetChildren()
            .Where(s => s.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => (s.Key, Url: Find(configuration, s.Key, preferHttps)))
            .Where(s => s.Url is not null)
            .Select(s => (s.Key, s.Url!))
            .ToList();
}
