using Microsoft.AspNetCore.Http.Features;

namespace LivepeerAspire.Orchestrator.Jobs;

public readonly record struct JobError(int Status, string Message);

public readonly record struct BodyResult(byte[] Bytes, JobError? Error);

/// <summary>Buffers a request body up to a limit; a larger one is a 413 whether or not it declared its length.</summary>
public static class BodyReader
{
    public static async Task<BodyResult> ReadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return TooLarge(request.ContentLength.Value, limit);
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return TooLarge(buffer.Length + read, limit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit + 1, limit);
        }

        return new BodyResult(buffer.ToArray(), null);
    }

    private static BodyResult TooLarge(long size, long limit) =>
        new([], new JobError(StatusCodes.Status413PayloadTooLarge,
            $"request body is too large ({(size > limit + 1 ? $"{size} bytes" : "over the limit")}); the limit is {limit} bytes (Orchestrator:MaxRequestBodyBytes)"));
}
