using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// The orchestrator's Capabilities: capability c is bit c % 64 of word c / 64; capacities per capability;
/// per-model constraints with warm flag, capacity, lowest runner version and slots in use.
/// </summary>
public static class CapabilitiesBuilder
{
    public static Capabilities Build(ModelCatalog catalog, string version)
    {
        var caps = new Capabilities { Version = version, Constraints = new Capabilities.Types.Constraints() };
        // A model whose every runner went unhealthy is left out, so gateways stop selecting it until a runner recovers.
        foreach (var model in catalog.Models.Where(m => m.AdvertisedCapacity > 0))
        {
            var id = (uint)model.Pipeline.CapabilityId;
            SetBit(caps.Bitstring, id);
            caps.Capacities[id] = (caps.Capacities.TryGetValue(id, out var sum) ? sum : 0) + (uint)model.AdvertisedCapacity;
            if (!caps.Constraints.PerCapability.TryGetValue(id, out var perCap))
            {
                perCap = new Capabilities.Types.CapabilityConstraints();
                caps.Constraints.PerCapability[id] = perCap;
            }

            perCap.Models[model.ModelId] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint
            {
                Warm = model.Warm,
                Capacity = (uint)model.AdvertisedCapacity,
                RunnerVersion = model.RunnerVersion,
                CapacityInUse = (uint)model.InUse,
                ProgressSteps = model.OffersProgress ? 1u : 0u,
            };
        }

        return caps;
    }

    public static void SetBit(IList<ulong> words, uint capability)
    {
        var word = (int)(capability / 64);
        while (words.Count <= word)
        {
            words.Add(0);
        }

        words[word] |= 1UL << (int)(capability % 64);
    }

    public static bool HasBit(IList<ulong> words, uint capability)
    {
        var word = (int)(capability / 64);
        return word < words.Count && (words[word] & (1UL << (int)(capability % 64))) != 0;
    }
}
