namespace LivepeerAspire.AppHost.Dashboard;

/// <summary>The dashboard's static files, embedded in the assembly so the AppHost serves them from anywhere.</summary>
internal static class DashboardPage
{
    public static string Html { get; } = Read("index.html");

    public static string Css { get; } = Read("dashboard.css");

    public static string Script { get; } = Read("dashboard.js");

    private static string Read(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"Dashboard.{name}")
            ?? throw new InvalidOperationException($"Embedded dashboard file {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
