namespace LivepeerAspire.AppHost.Resources;

/// <summary>What a resource is in the Livepeer network, so tests, experiments and commands find it without parsing names.</summary>
public enum LivepeerRole
{
    /// <summary>The gateway address: the gateway itself, or the front door when the topology runs replicas.</summary>
    Gateway,

    /// <summary>One of several gateway processes behind the front door (<c>"gateway": {"replicas": N}</c>).</summary>
    GatewayReplica,
    Orchestrator,
    Simulator,
    Runner,
    Chain,
    Extra,
}

/// <summary>
/// Marks a resource with its <see cref="LivepeerRole"/>; <paramref name="Orchestrator"/> is the topology name
/// (o1, o2-3 …) of the orchestrator it is or belongs to.
/// </summary>
public sealed record LivepeerRoleAnnotation(LivepeerRole Role, string? Orchestrator = null) : IResourceAnnotation;
