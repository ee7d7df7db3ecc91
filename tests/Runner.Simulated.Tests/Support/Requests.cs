using LivepeerAspire.Protocol.Media;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Media;

namespace LivepeerAspire.Runner.Simulated.Tests.Support;

internal static class Requests
{
    public static StringContent Json(object body) =>
        new(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static MultipartFormDataContent Form(byte[]? image = null, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        if (image is not null)
        {
            var part = new ByteArrayContent(image);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "image", "blob");
        }

        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static byte[] SmallPng(int width = 64, int height = 64) => SyntheticPng.Encode(width, height, 1);

    public static double ServiceSeconds(HttpResponseMessage response) =>
        double.Parse(response.Headers.GetValues("X-Simulator-Service-Seconds").Single(), CultureInfo.InvariantCulture);

    public static double LoadSeconds(HttpResponseMessage response) =>
        double.Parse(response.Headers.GetValues("X-Simulator-Load-Seconds").Single(), CultureInfo.InvariantCulture);

    public static async Task<string> DetailMessageAsync(HttpResponseMessage response)
    {
        var doc = await response.Content.ReadFromJsonAsync<JsonElement>();
        return doc.GetProperty("detail").GetProperty("msg").GetString()!;
    }

    public static object Chat(string content = "hello there", int maxTokens = 32, bool stream = false, string? model = null) =>
        new { model = model ?? "", messages = new[] { new { role = "user", content } }, max_tokens = maxTokens, stream };
}
