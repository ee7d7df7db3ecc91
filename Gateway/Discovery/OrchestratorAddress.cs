namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// One -orchAddr entry as go-livepeer reads it: a full <c>http(s)://</c> URL, or <c>host:port</c>, <c>host</c> (port
/// 8935) or <c>:port</c> (host 127.0.0.1), which mean https, as go-livepeer's orchestrators serve TLS.
/// </summary>
public static class OrchestratorAddress
{
    public const string DefaultPort = "8935";

    public static bool TryParse(string entry, out Uri uri)
    {
        uri = null!;
        var text = entry.Trim();
        if (text.Length == 0 || (text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("http", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (!text.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            text = text[0] == ':' ? "127.0.0.1" + text : text;
            text = "https://" + (text.Contains(':', StringComparison.Ordinal) ? text : text + ":" + DefaultPort);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps) || parsed.Host.Length == 0)
        {
            return false;
        }

        uri = parsed;
        return true;
    }
}
