namespace LivepeerAspire.AppHost.Hosting;

public enum ResourceKind
{
    Project,
    Executable,
    Container,
    External,
    ConnectionString,
}

/// <summary>How the host decides that an instance is healthy.</summary>
public sealed record HealthCheck(string Kind, string? Path)
{
    public static HealthCheck Http(string path = "/health") => new("http", path);

    public static HealthCheck Tcp { get; } = new("tcp", null);

    /// <summary>Healthy as soon as the process is up (no endpoint to probe).</summary>
    public static HealthCheck ProcessUp { get; } = new("process", null);
}

/// <summary>
/// A named thing the host runs or points at, in the shape of Aspire's resource model: environment,
/// arguments, one HTTP endpoint (a port per replica), references, WaitFor dependencies and a restart policy.
/// </summary>
public abstract class Resource(string name)
{
    private readonly List<int> _ports = [];

    public string Name { get; } = name;

    public abstract ResourceKind Kind { get; }

    public List<string> Args { get; } = [];

    /// <summary>Environment in insertion order; values are evaluated when a process starts.</summary>
    public List<KeyValuePair<string, Func<string>>> Environment { get; } = [];

    /// <summary>
    /// Callbacks run when a process is about to start (after its WaitFor dependencies are healthy), for environment
    /// whose names are known only then — Aspire's <c>WithEnvironment(context =&gt; …)</c>.
    /// </summary>
    public List<Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>>> EnvironmentCallbacks { get; } = [];

    public List<Resource> WaitForResources { get; } = [];

    /// <summary>
    /// WaitFor dependencies that may also have given up (failed, unavailable): this resource then starts anyway —
    /// Aspire's <c>WaitBehavior.StopOnResourceUnavailable</c> turned around, so one broken orchestrator does not keep
    /// the gateway from serving the others.
    /// </summary>
    public HashSet<Resource> TolerantWaits { get; } = [];

    public List<Resource> References { get; } = [];

    public int Replicas { get; internal set; } = 1;

    public RestartPolicy RestartPolicy { get; internal set; } = RestartPolicy.Default;

    public HealthCheck HealthCheck { get; internal set; } = HealthCheck.ProcessUp;

    public bool HasEndpoint { get; internal set; }

    public bool FixedPort { get; internal set; }

    public string Scheme { get; internal set; } = "http";

    /// <summary>Container port the host port maps to (containers only).</summary>
    public int? TargetPort { get; internal set; }

    /// <summary>Label under which the host prints this resource's URL at start-up ("Gateway").</summary>
    public string? DisplayLabel { get; internal set; }

    /// <summary>Free-form tags the dashboard groups by ("orchestrator", "simulator", "gateway").</summary>
    public Dictionary<string, string> Annotations { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<int> Ports => _ports;

    /// <summary>Name of replica <paramref name="index"/> as shown in the dashboard.</summary>
    public string InstanceName(int index) => Replicas == 1 ? Name : $"{Name}-{index}";

    public int Port(int replica = 0) =>
        replica < _ports.Count ? _ports[replica] : throw new InvalidOperationException($"Resource '{Name}' has no endpoint for replica {replica}.");

    public string Url(int replica = 0) => $"{Scheme}://127.0.0.1:{Port(replica)}";

    public IEnumerable<string> Urls => _ports.Select((_, i) => Url(i));

    internal void SetEndpoint(int? port, string scheme)
    {
        HasEndpoint = true;
        Scheme = scheme;
        _ports.Clear();
        FixedPort = port is > 0;
        _ports.Add(FixedPort ? port!.Value : PortAllocator.Allocate());
        while (_ports.Count < Replicas)
        {
            _ports.Add(PortAllocator.Allocate());
        }
    }

    internal void SetReplicas(int replicas)
    {
        if (replicas < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(replicas), "A resource needs at least one replica.");
        }

        if (replicas > 1 && FixedPort)
        {
            throw new InvalidOperationException($"Resource '{Name}' has the fixed port {_ports[0]}; replicas need a free port each.");
        }

        Replicas = replicas;
        if (HasEndpoint)
        {
            while (_ports.Count < replicas)
            {
                _ports.Add(PortAllocator.Allocate());
            }
        }
    }
}

/// <summary>A .NET project of this repository, launched as <c>dotnet &lt;repo&gt;/&lt;Project&gt;/bin/&lt;Configuration&gt;/net10.0/&lt;Project&gt;.dll</c>.</summary>
public sealed class ProjectResource(string name, string projectName, string projectDirectory, string assemblyPath) : Resource(name)
{
    public override ResourceKind Kind => ResourceKind.Project;

    public string ProjectName { get; } = projectName;

    public string ProjectDirectory { get; } = projectDirectory;

    public string AssemblyPath { get; } = assemblyPath;
}

/// <summary>A program on the PATH (or an absolute path); "{port}" in its arguments becomes its allocated port.</summary>
public sealed class ExecutableResource(string name, string command, string workingDirectory) : Resource(name)
{
    public override ResourceKind Kind => ResourceKind.Executable;

    public string Command { get; } = command;

    public string WorkingDirectory { get; } = workingDirectory;
}

/// <summary>An image run through docker or podman, whichever engine answers.</summary>
public sealed class ContainerResource(string name, string image) : Resource(name)
{
    public override ResourceKind Kind => ResourceKind.Container;

    public string Image { get; } = image;
}

/// <summary>Something already running elsewhere (a real ai-runner or Ollama): only probed, never started.</summary>
public sealed class ExternalResource(string name, Uri url) : Resource(name)
{
    public override ResourceKind Kind => ResourceKind.External;

    public Uri ExternalUrl { get; } = url;
}

/// <summary>A connection string handed to referencing resources as <c>ConnectionStrings__{name}</c>.</summary>
public sealed class ConnectionStringResource(string name, string connectionString) : Resource(name)
{
    public override ResourceKind Kind => ResourceKind.ConnectionString;

    public string ConnectionString { get; } = connectionString;
}
