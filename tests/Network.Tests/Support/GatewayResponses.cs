using System.Net.Http.Headers;
using System.Text.Json;

namespace LivepeerAspire.Network.Tests.Support;

public static class GatewayResponses
{
    public static string Orchestrator(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Livepeer-Orchestrator", out var values) ? values.Single() : throw new ShouldAssertException("no Livepeer-Orchestrator header");

    public static int Attempts(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Livepeer-Attempts", out var values) ? int.Parse(values.Single()) : throw new ShouldAssertException("no Livepeer-Attempts header");

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The runner/SDK error message of a 4xx/5xx: <c>{"detail":{"msg":"…"}}</c>.</summary>
    public static async Task<string> DetailMessageAsync(this HttpResponseMessage response) =>
        (await response.JsonAsync()).GetProperty("detail").GetProperty("msg").GetString()!;

    public static StringContent Json(string json) => new(json, MediaTypeHeaderValue.Parse("application/json"));

    public static MultipartFormDataContent Multipart(byte[] file, string fileField, string fileName, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        form.Add(part, fileField, fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }
}
