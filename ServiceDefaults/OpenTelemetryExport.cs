using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LivepeerAspire.ServiceDefaults;

/// <summary>
/// OTLP export of the traces and metrics ASP.NET Core and HttpClient already emit, plus the service's own
/// sources (named "LivepeerAspire.*"). OpenTelemetry.Extensions.Hosting is not on the package feed, so the
/// providers are built directly and disposed with the host. Nothing is exported unless
/// OTEL_EXPORTER_OTLP_ENDPOINT is set (as an Aspire AppHost or the standalone Aspire dashboard would).
/// </summary>
internal static class OpenTelemetryExport
{
    public static void AddOpenTelemetryExport(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource("Microsoft.AspNetCore", "System.Net.Http", "LivepeerAspire.*")
            .AddOtlpExporter()
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "LivepeerAspire.*")
            .AddOtlpExporter()
            .Build();
        builder.Services.AddSingleton(new TelemetryProviders(tracer, meter));
        Activity.DefaultIdFormat = ActivityIdFormat.W3C;
    }

    private sealed class TelemetryProviders(TracerProvider? tracer, MeterProvider? meter) : IDisposable
    {
        public void Dispose()
        {
            tracer?.Dispose();
            meter?.Dispose();
        }
    }
}
