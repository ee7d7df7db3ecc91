namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Configuration section <c>Access</c>: API keys, budgets, rate limits and usage records. Off by default, so an open
/// network stays open; on, every job route needs <c>Authorization: Bearer &lt;key&gt;</c> and the admin routes the admin key.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>The connection string name (<c>ConnectionStrings:access</c>), as an Aspire reference names it.</summary>
    public const string ConnectionName = "access";

    public bool Enabled { get; set; }

    /// <summary>Bearer key for <c>/admin/*</c> when access control is on. At least 16 characters.</summary>
    public string AdminKey { get; set; } = "";

    /// <summary><c>sqlite</c> (embedded, the default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Requests per minute for a key created without its own limit; 0 = no limit.</summary>
    public int DefaultRequestsPerMinute { get; set; }

    /// <summary>LLM tokens (max_tokens) per minute for a key created without its own limit; 0 = no limit.</summary>
    public int DefaultTokensPerMinute { get; set; }

    /// <summary>Usage rows written per database round trip.</summary>
    public int UsageBatchSize { get; set; } = 200;

    /// <summary>How long a finished job's row may wait before its batch is written.</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows kept in memory while the database does not answer; beyond this, new jobs get 503.</summary>
    public int UsageQueueCapacity { get; set; } = 10_000;

    /// <summary>How long start-up waits for the database (a PostgreSQL the AppHost is still starting).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(AdminKey) || AdminKey.Length < 16)
        {
            yield return "Access:AdminKey must be set to at least 16 characters when Access:Enabled is true (it guards /admin/*)";
        }

        if (AdminKey.Length > ApiKeys.MaxLength || AdminKey.Any(char.IsWhiteSpace))
        {
            yield return $"Access:AdminKey must have no spaces and at most {ApiKeys.MaxLength} characters";
        }

        if (!Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase) && !Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"Access:Provider '{Provider}' is not supported; use sqlite or postgres";
        }

        if (DefaultRequestsPerMinute < 0 || DefaultTokensPerMinute < 0)
        {
            yield return "Access:DefaultRequestsPerMinute and Access:DefaultTokensPerMinute must not be negative (0 = no limit)";
        }

        if (UsageBatchSize <= 0 || UsageQueueCapacity <= 0 || UsageFlushInterval <= TimeSpan.Zero || StartupTimeout <= TimeSpan.Zero)
        {
            yield return "Access:UsageBatchSize, Access:UsageQueueCapacity, Access:UsageFlushInterval and Access:StartupTimeout must be positive";
        }
    }

    public bool IsPostgres => Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase);
}
