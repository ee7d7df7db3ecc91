namespace LivepeerAspire.AppHost.Hosting;

/// <summary>
/// Collects resources the way Aspire's <c>IDistributedApplicationBuilder</c> does; <see cref="Build"/> checks the
/// composition (unique names, no clashing fixed ports, no WaitFor cycles) and returns the runnable application.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(DistributedApplicationOptions options, AppHostArguments arguments)
    {
        Options = options;
        Arguments = arguments;
        RepositoryRoot = options.RepositoryRoot ?? DistributedApplicationOptions.FindRepositoryRoot();
        options.RepositoryRoot = RepositoryRoot;
    }

    public DistributedApplicationOptions Options { get; }

    /// <summary>The AppHost's command line (topology file, port overrides).</summary>
    public AppHostArguments Arguments { get; }

    public string RepositoryRoot { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>Extra data the dashboard shows about the composed network (set by the topology composer).</summary>
    public NetworkMap? Network { get; set; }

    public IResourceBuilder<ProjectResource> AddProject(string name, string projectName)
    {
        var projectDir = Path.Combine(RepositoryRoot, projectName);
        var dll = Path.Combine(projectDir, "bin", Options.Configuration, "net10.0", projectName + ".dll");
        var resource = Add(new ProjectResource(name, projectName, projectDir, dll));
        resource.Resource.HealthCheck = HealthCheck.Http();
        return resource;
    }

    public IResourceBuilder<ExecutableResource> AddExecutable(string name, string command, string? workingDirectory = null, params string[] args)
    {
        var resource = Add(new ExecutableResource(name, command, workingDirectory ?? RepositoryRoot));
        resource.Resource.Args.AddRange(args);
        return resource;
    }

    public IResourceBuilder<ContainerResource> AddContainer(string name, string image) => Add(new ContainerResource(name, image));

    public IResourceBuilder<ExternalResource> AddExternalService(string name, Uri url)
    {
        var resource = Add(new ExternalResource(name, url));
        resource.Resource.HealthCheck = HealthCheck.Http();
        return resource;
    }

    public IResourceBuilder<ConnectionStringResource> AddConnectionString(string name, string connectionString) =>
        Add(new ConnectionStringResource(name, connectionString));

    public DistributedApplication Build()
    {
        var fixedPorts = _resources.Where(r => r.FixedPort).GroupBy(r => r.Port()).FirstOrDefault(g => g.Count() > 1);
        if (fixedPorts is not null)
        {
            throw new InvalidOperationException($"Port {fixedPorts.Key} is given to more than one resource: {string.Join(", ", fixedPorts.Select(r => r.Name))}.");
        }

        if (Options.DashboardPort is > 0 and var dashboardPort && _resources.Any(r => r.FixedPort && r.Port() == dashboardPort))
        {
            throw new InvalidOperationException($"Port {dashboardPort} is both the dashboard's and a resource's.");
        }

        foreach (var resource in _resources)
        {
            CheckNoCycle(resource, []);
        }

        return new DistributedApplication(this);
    }

    private IResourceBuilder<T> Add<T>(T resource)
        where T : Resource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    private static void CheckNoCycle(Resource resource, HashSet<Resource> path)
    {
        if (!path.Add(resource))
        {
            throw new InvalidOperationException($"WaitFor cycle through '{resource.Name}'.");
        }

        foreach (var dependency in resource.WaitForResources)
        {
            CheckNoCycle(dependency, path);
        }

        path.Remove(resource);
    }
}
