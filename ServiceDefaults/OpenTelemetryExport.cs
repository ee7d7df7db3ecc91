using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LivepeerAspire.ServiceDefaults;

/// <summary>
/// Logs, metrics and traces as eShop's ServiceDefaults set them up: ASP.NET Core, HttpClient and runtime
/// instrumentation plus the services' own sources and meters (named <c>LivepeerAspire.*</c>), exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as the Aspire AppHost sets it to its dashboard. Health probes stay out
/// of the traces: the AppHost polls them every few seconds and they would bury the jobs.
/// </summary>
internal static class OpenTelemetryExport
{
    public const string SourcePrefix = "LivepeerAspire.*";

    public static void AddOpenTelemetryExport(this IHostApplicationBuilder builder)
    {
        // Without a collector there is nobody to export to, and a benchmark of a bare service should not pay for spans.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(SourcePrefix))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, SourcePrefix)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) || path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath);
}
