using System.Numerics;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// go-livepeer's Capabilities.CompatibleWith as verifySegCreds applies it to a job's <c>Livepeer-Segment</c>: every
/// capability bit the gateway asks for must be one this orchestrator has, and every model it names under a capability
/// must be one this orchestrator serves. Not checked: mandatories (these orchestrators have none) and the minimum
/// version (the gateway filters on it at discovery).
/// </summary>
public static class CapabilityMatch
{
    /// <summary>Why <paramref name="requested"/> is not compatible with <paramref name="offered"/>, or null when it is (or asks for nothing).</summary>
    public static string? Mismatch(Capabilities? requested, Capabilities offered)
    {
        if (requested is null)
        {
            return null;
        }

        for (var word = 0; word < requested.Bitstring.Count; word++)
        {
            var have = word < offered.Bitstring.Count ? offered.Bitstring[word] : 0UL;
            var missing = requested.Bitstring[word] & ~have;
            if (missing != 0)
            {
                var capability = (word * 64) + BitOperations.TrailingZeroCount(missing);
                return $"capability {Describe(capability)} is not offered by this orchestrator";
            }
        }

        foreach (var (capability, constraints) in requested.Constraints?.PerCapability ?? [])
        {
            var served = offered.Constraints?.PerCapability.GetValueOrDefault(capability);
            foreach (var model in constraints.Models.Keys.Where(m => served is null || !served.Models.ContainsKey(m)))
            {
                return $"model {model} of capability {Describe((int)capability)} is not served by this orchestrator";
            }
        }

        return null;
    }

    private static string Describe(int capability) =>
        PipelineCatalog.TryGet(capability, out var pipeline) ? $"{capability} ({pipeline.Name})" : capability.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
