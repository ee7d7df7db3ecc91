using System.Text.Json;

namespace LivepeerAspire.Orchestrator.Tests;

public static class Errors
{
    public static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return root.GetProperty("detail").GetProperty("msg").GetString()!;
    }
}
