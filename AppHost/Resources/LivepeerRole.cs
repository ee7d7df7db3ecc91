namespace LivepeerAspire.AppHost.Resources;

/// <summary>What a resource is in the Livepeer network, so tests, experiments and commands find it without parsing names.</summary>
public enum LivepeerRole
{
    Gateway,
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
