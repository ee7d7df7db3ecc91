using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>Builds the Capabilities a gateway sends in OrchestratorRequest and reads those an orchestrator advertises.</summary>
public static class CapabilityRequest
{
    /// <summary>
    /// Only the AI capability bit and the model constraint (warm not required), as go-livepeer's getSessions asks.
    /// Deviation: go-livepeer also sets its transcoding default capabilities; an AI-only orchestrator would then be
    /// incompatible under the subset rule, so they are left out.
    /// </summary>
    public static Capabilities For(Pipeline pipeline, string modelId)
    {
        var caps = new Capabilities();
        var word = pipeline.CapabilityId / 64;
        for (var i = 0; i <= word; i++)
        {
            caps.Bitstring.Add(0);
        }

        caps.Bitstring[word] |= 1UL << (pipeline.CapabilityId % 64);
        caps.Capacities[(uint)pipeline.CapabilityId] = 1;
        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models[modelId] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint { Warm = false };
        caps.Constraints = new Capabilities.Types.Constraints();
        caps.Constraints.PerCapability[(uint)pipeline.CapabilityId] = perCap;
        return caps;
    }

    /// <summary>The advertised constraint for (pipeline, model), or null when the orchestrator does not serve it.</summary>
    public static Capabilities.Types.CapabilityConstraints.Types.ModelConstraint? Model(OrchestratorInfo info, Pipeline pipeline, string modelId)
    {
        var perCap = info.Capabilities?.Constraints?.PerCapability;
        if (perCap is null || !perCap.TryGetValue((uint)pipeline.CapabilityId, out var constraints))
        {
            return null;
        }

        return constraints.Models.TryGetValue(modelId, out var model) ? model : null;
    }

    /// <summary>Every (pipeline, model, constraint) an orchestrator advertises, for pipelines this gateway knows.</summary>
    public static IEnumerable<(Pipeline Pipeline, string ModelId, Capabilities.Types.CapabilityConstraints.Types.ModelConstraint Constraint)> Models(OrchestratorInfo info)
    {
        var perCap = info.Capabilities?.Constraints?.PerCapability;
        if (perCap is null)
        {
            yield break;
        }

        foreach (var (capId, constraints) in perCap.OrderBy(p => p.Key))
        {
            if (!PipelineCatalog.TryGet((int)capId, out var pipeline))
            {
                continue;
            }

            foreach (var (modelId, constraint) in constraints.Models.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                yield return (pipeline, modelId, constraint);
            }
        }
    }
}
