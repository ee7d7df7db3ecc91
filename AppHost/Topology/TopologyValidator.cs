using LivepeerAspire.AppHost.Resources;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// Checks that need the whole topology (and the machine): unique names after replicas are expanded, no two
/// fixed ports alike, fixed ports free right now. GPU profiles and model fit are the simulator's to judge
/// (<see cref="FleetValidator"/>).
/// </summary>
public static class TopologyValidator
{
    public static void Validate(TopologySpec topology, int gatewayPort, int? dashboardPort)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in topology.Orchestrators)
        {
            foreach (var name in ExpandedNames(o))
            {
                if (!names.TryAdd(name, o.Path))
                {
                    throw new TopologyException(topology.File, $"{o.Path}.name", $"duplicate orchestrator name '{name}' (also at {names[name]})");
                }
            }
        }

        foreach (var r in topology.Resources)
        {
            if (!names.TryAdd("res:" + r.Name, r.Path) || r.Name is "gateway" or "simulator" || r.Name.StartsWith("orchestrator-", StringComparison.Ordinal)
                || r.Name.StartsWith("gateway-", StringComparison.Ordinal))
            {
                throw new TopologyException(topology.File, $"{r.Path}.name", $"duplicate or reserved resource name '{r.Name}'");
            }

            if (r.Name == "redis" && topology.Gateway.EffectiveRedis is not null)
            {
                throw new TopologyException(topology.File, $"{r.Path}.name",
                    "'redis' is the gateways' shared Redis, which the AppHost runs itself for gateway replicas or \"gateway\": {\"redis\": …}; drop this resource or rename it");
            }
        }

        var ports = new List<(int Port, string Path)>();
        if (gatewayPort > 0)
        {
            ports.Add((gatewayPort, "$.gateway.port"));
        }

        if (dashboardPort is > 0)
        {
            ports.Add((dashboardPort.Value, "--dashboard-port (the Aspire dashboard)"));
        }

        if (topology.SimulatorPort is > 0)
        {
            ports.Add((topology.SimulatorPort.Value, "$.simulator.port"));
        }

        ports.AddRange(topology.Orchestrators.Where(o => o.Port is > 0).Select(o => (o.Port!.Value, $"{o.Path}.port")));
        ports.AddRange(topology.Resources.Where(r => r.Port is > 0).Select(r => (r.Port!.Value, $"{r.Path}.port")));
        var seen = new Dictionary<int, string>();
        foreach (var (port, path) in ports)
        {
            if (!seen.TryAdd(port, path))
            {
                throw new TopologyException(topology.File, path, $"port clash: {port} is also given at {seen[port]}");
            }
        }

        foreach (var (port, path) in ports)
        {
            if (!LoopbackPorts.IsFree(port))
            {
                throw new TopologyException(topology.File, path, $"port {port} is already in use on 127.0.0.1 (another AppHost running?); pick another port or 0 for any");
            }
        }
    }

    public static IEnumerable<string> ExpandedNames(OrchestratorSpec o) =>
        o.Replicas == 1 ? [o.Name] : Enumerable.Range(1, o.Replicas).Select(i => $"{o.Name}-{i}");
}
