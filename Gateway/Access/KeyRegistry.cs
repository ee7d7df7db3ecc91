using System.Collections.Concurrent;
using LivepeerAspire.Gateway.Access.Storage;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// The keys, by hash, in memory: loaded at start, kept current by this gateway's admin API, and asked from the
/// database on a miss (a key another replica created).
/// </summary>
public sealed class KeyRegistry(IAccessStore store)
{
    private readonly ConcurrentDictionary<string, AccessKey> byHash = new(StringComparer.Ordinal);

    public IReadOnlyCollection<AccessKey> All => byHash.Values.OrderBy(k => k.Created).ThenBy(k => k.Name, StringComparer.Ordinal).ToList();

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var key in await store.KeysAsync(cancellationToken).ConfigureAwait(false))
        {
            byHash[key.KeyHash] = key;
        }
    }

    /// <summary>The key a bearer token stands for, or null; a database error propagates (the caller answers 503).</summary>
    public async ValueTask<AccessKey?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(token);
        if (byHash.TryGetValue(hash, out var key))
        {
            return key;
        }

        key = await store.FindByHashAsync(hash, cancellationToken).ConfigureAwait(false);
        if (key is not null)
        {
            byHash[hash] = key;
        }

        return key;
    }

    public AccessKey? ByName(string name) => byHash.Values.FirstOrDefault(k => k.Name == name);

    public void Put(AccessKey key) => byHash[key.KeyHash] = key;
}
