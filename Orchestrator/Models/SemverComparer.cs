namespace LivepeerAspire.Orchestrator.Models;

/// <summary>Orders "1.2.3" versions numerically; pre-release suffixes are ignored; unparseable ones sort first.</summary>
public sealed class SemverComparer : IComparer<string>
{
    public static SemverComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var a = Parse(x);
        var b = Parse(y);
        for (var i = 0; i < 3; i++)
        {
            var c = a[i].CompareTo(b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static long[] Parse(string? version)
    {
        var parts = (version ?? "").TrimStart('v').Split('-', '+')[0].Split('.');
        var result = new long[3] { -1, -1, -1 };
        for (var i = 0; i < 3 && i < parts.Length; i++)
        {
            result[i] = long.TryParse(parts[i], out var n) ? n : -1;
        }

        return result;
    }
}
