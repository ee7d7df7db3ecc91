namespace LivepeerAspire.Protocol.Eth;

/// <summary>Chooses the signature implementation once per process: libsecp256k1 when it loads, BouncyCastle otherwise.</summary>
public static class Secp256k1
{
    private static readonly Lazy<(ISecp256k1 Implementation, string Reason)> Chosen = new(Choose);

    /// <summary>The process-wide implementation.</summary>
    public static ISecp256k1 Default => Chosen.Value.Implementation;

    /// <summary>One line for the start-up log saying which implementation signs and verifies, and why.</summary>
    public static string Description =>
        Chosen.Value.Implementation is NativeSecp256k1
            ? $"secp256k1: using {Default.Name}"
            : $"secp256k1: using {Default.Name}; libsecp256k1 did not load ({Chosen.Value.Reason}); install libsecp256k1-1 for ~10x faster ticket checks";

    public static ManagedSecp256k1 Managed { get; } = new();

    /// <summary>The native implementation, or null when libsecp256k1.so.1 cannot be loaded.</summary>
    public static NativeSecp256k1? Native => LoadedNative.Value;

    private static readonly Lazy<NativeSecp256k1?> LoadedNative = new(() => NativeSecp256k1.TryCreate(out var n, out _) ? n : null);

    private static (ISecp256k1, string) Choose()
    {
        if (Environment.GetEnvironmentVariable("LIVEPEER_ASPIRE_MANAGED_SECP256K1") == "1")
        {
            return (Managed, "LIVEPEER_ASPIRE_MANAGED_SECP256K1=1");
        }

        if (Native is { } native)
        {
            return (native, "");
        }

        NativeSecp256k1.TryCreate(out _, out var reason);
        return (Managed, reason ?? "unknown");
    }
}
