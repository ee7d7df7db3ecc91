using System.Globalization;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Timeouts;

/// <summary>A job's total deadline: the pipeline's configured one, or what the client asks in <c>Livepeer-Deadline-Ms</c>.</summary>
public sealed class Deadlines(IOptionsMonitor<TimeoutOptions> options)
{
    public TimeSpan For(HttpRequest request, Pipeline pipeline)
    {
        var opts = options.CurrentValue;
        if (!request.Headers.TryGetValue(TimeoutOptions.DeadlineHeader, out var values))
        {
            return opts.DeadlineFor(pipeline);
        }

        var text = values.ToString();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            throw GatewayError.BadRequest($"{TimeoutOptions.DeadlineHeader} must be a positive whole number of milliseconds (got '{text}')");
        }

        var asked = TimeSpan.FromMilliseconds(ms);
        if (asked > opts.MaxClientDeadline)
        {
            throw GatewayError.BadRequest($"{TimeoutOptions.DeadlineHeader} {ms} exceeds the gateway's maximum of {(long)opts.MaxClientDeadline.TotalMilliseconds} ms");
        }

        return asked;
    }
}
