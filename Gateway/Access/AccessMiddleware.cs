using System.Data.Common;
using LivepeerAspire.Gateway.Api;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// With access control on: <c>/admin/*</c> needs the admin key; every other route except the read-only status
/// routes needs a client key that exists, is not revoked and has budget left. Errors come in the route's shape
/// (<c>{"detail":{"msg"}}</c>, OpenAI's on <c>/v1</c>). Neither the key nor its hash is logged.
/// </summary>
public sealed class AccessMiddleware(RequestDelegate next, KeyRegistry keys, SpendLedger ledger, IOptions<AccessOptions> options, ILogger<AccessMiddleware> logger)
{
    public const string KeyItem = "LivepeerAspire.Access.Key";

    /// <summary>Read-only views of the network that go-livepeer also serves without credentials.</summary>
    private static readonly string[] PublicPaths = ["/health", "/alive", "/network", "/metrics", "/stats", "/orchestrators", "/getNetworkCapabilities"];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (HttpMethods.IsGet(context.Request.Method) && PublicPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var token = ApiKeys.ReadBearer(context.Request.Headers.Authorization.ToString(), out var malformed);
        if (token is null)
        {
            await UnauthorizedAsync(context, malformed!).ConfigureAwait(false);
            return;
        }

        if (path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            if (!ApiKeys.SameSecret(token, options.Value.AdminKey))
            {
                await UnauthorizedAsync(context, "this route needs the gateway's admin key (Access:AdminKey) as Authorization: Bearer <admin key>").ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
            return;
        }

        AccessKey? key;
        try
        {
            key = await keys.FindAsync(token, context.RequestAborted).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            logger.LogWarning("key lookup failed, the access database does not answer: {Error}", e.Message);
            context.Response.Headers.RetryAfter = "5";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "the access database does not answer, so the API key cannot be checked; try again later").ConfigureAwait(false);
            return;
        }

        if (key is null)
        {
            await UnauthorizedAsync(context, "unknown API key").ConfigureAwait(false);
            return;
        }

        if (key.Revoked is { } revoked)
        {
            await WriteAsync(context, StatusCodes.Status403Forbidden, $"API key '{key.Name}' was revoked at {revoked:u}").ConfigureAwait(false);
            return;
        }

        if (ledger.IsExhausted(key, out var why))
        {
            await WriteAsync(context, StatusCodes.Status403Forbidden, why).ConfigureAwait(false);
            return;
        }

        context.Items[KeyItem] = key;
        CallerContext.Current = key;
        await next(context).ConfigureAwait(false);
    }

    public static Task WriteAsync(HttpContext context, int status, string message) =>
        context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
            ? ErrorWriter.OpenAi(context, status, message)
            : ErrorWriter.Livepeer(context, status, message);

    private static Task UnauthorizedAsync(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return WriteAsync(context, StatusCodes.Status401Unauthorized, message);
    }
}
