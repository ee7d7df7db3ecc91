using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LivepeerAspire.LoadTests.Experiments.Overhead;

/// <summary>
/// The "bare proxy" the gateway is measured against: Kestrel forwarding every request to one upstream with
/// <see cref="HttpMessageInvoker"/> over <see cref="SocketsHttpHandler"/>, bodies streamed both ways, no selection,
/// pricing or payment.
/// </summary>
public static class PassThroughProxy
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    public static Task<LoopbackServer> StartAsync(Uri upstream)
    {
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            MaxConnectionsPerServer = int.MaxValue,
        });
        var baseUrl = upstream.AbsoluteUri.TrimEnd('/');
        return LoopbackServer.StartAsync(app => app.Run(async ctx =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), baseUrl + ctx.Request.Path + ctx.Request.QueryString);
            if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
            {
                request.Content = new StreamContent(ctx.Request.Body);
            }

            foreach (var (name, values) in ctx.Request.Headers)
            {
                if (HopByHop.Contains(name))
                {
                    continue;
                }

                if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            HttpResponseMessage response;
            try
            {
                response = await invoker.SendAsync(request, ctx.RequestAborted);
            }
            catch (HttpRequestException e)
            {
                ctx.Response.StatusCode = StatusCodes.Status502BadGateway;
                await ctx.Response.WriteAsJsonAsync(new { detail = new { msg = $"upstream unreachable: {e.HttpRequestError}" } });
                return;
            }

            using (response)
            {
                ctx.Response.StatusCode = (int)response.StatusCode;
                foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                {
                    if (!HopByHop.Contains(name))
                    {
                        ctx.Response.Headers[name] = values.ToArray();
                    }
                }

                await using var body = await response.Content.ReadAsStreamAsync(ctx.RequestAborted);
                await body.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
            }
        }));
    }
}
