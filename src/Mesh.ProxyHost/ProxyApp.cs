using Mesh.Configuration;
using Mesh.Discovery.Dns;
using Mesh.Discovery.Dns.Configuration;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features;
using Mesh.ProxyHost.Features.Admin;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Inbound;
using Mesh.ProxyHost.Features.Outbound;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Json;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mesh.ProxyHost;

/// <summary>
/// Builds the sidecar: configuration (appsettings.json next to the binary, an optional <c>Mesh:ConfigFile</c>,
/// environment variables, command line; hot-reloaded through <see cref="EffectiveConfiguration"/>), the three
/// listeners and their features, and the Mesh.Core runtime shared by all of them.
/// </summary>
public static class ProxyApp
{
    // Kestrel's own meter: kestrel.active_connections, kestrel.connection.duration, kestrel.queued_connections, ...
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>Builds the sidecar, or throws <see cref="InvalidConfigurationException"/> listing every configuration error.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (builder.Configuration["Mesh:ConfigFile"] is { Length: > 0 } file)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: true);

            // Keep environment and command line above the file, as in the usual .NET order.
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(args);
        }

        // Log lines carry the trace and span of the request they belong to.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        configure?.Invoke(builder);
        using var bootLoggers = LoggerFactory.Create(l => l.AddSimpleConsole());
        var effective = new EffectiveConfiguration(builder.Configuration, ValidateAll, bootLoggers.CreateLogger("Mesh.Configuration"), TimeProvider.System);
        foreach (var source in builder.Configuration.Sources.OfType<JsonConfigurationSource>())
        {
            source.OnLoadException = context =>
            {
                effective.ReportLoadError(context.Provider.Source.Path ?? "a configuration file", context.Exception);
                context.Ignore = true;
            };
        }

        var errors = effective.Start();
        if (errors.Count > 0)
        {
            throw new InvalidConfigurationException(errors);
        }

        var proxy = new ProxyOptions();
        effective.Root.GetSection(ProxyOptions.SectionName).Bind(proxy);
        var admin = new AdminOptions();
        effective.Root.GetSection(AdminOptions.SectionName).Bind(admin);

        var listeners = new Listeners();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.AllowHostHeaderOverride = true;
            RawConnectionHeader.Capture(kestrel);
            kestrel.Limits.RequestHeadersTimeout = proxy.RequestHeadersTimeout;
            kestrel.Limits.MaxConcurrentConnections = proxy.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = proxy.MaxConnections;

            // A proxy streams bodies through; Kestrel's default 30 MB cap would cut larger uploads off midway.
            kestrel.Limits.MaxRequestBodySize = null;

            Listen(kestrel, listeners, Listeners.Outbound, proxy.Outbound.Listen, HttpProtocols.Http1);
            Listen(kestrel, listeners, Listeners.Outbound, proxy.Outbound.ListenHttp2, HttpProtocols.Http2);
            Listen(kestrel, listeners, Listeners.Inbound, proxy.Inbound.Listen, HttpProtocols.Http1);
            Listen(kestrel, listeners, Listeners.Inbound, proxy.Inbound.ListenHttp2, HttpProtocols.Http2);
            Listen(kestrel, listeners, Listeners.Admin, admin.Listen, HttpProtocols.Http1);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = proxy.DrainTimeout + proxy.DrainDelay);

        // Mesh reads the last good configuration, never a half-valid live one.
        var services = builder.Services;
        services.AddSingleton(effective);
        services.AddSingleton<IConfiguration>(effective.Root);
        services.AddSingleton(proxy);
        services.AddSingleton(listeners);
        services.AddMeshCore();
        if (effective.Root.GetSection(MeshDnsOptions.SectionName).Exists())
        {
            // DNS SRV / A discovery for the services mapped under Mesh:Discovery:Dns:Services, and for no other name.
            services.AddMeshDnsDiscovery();
        }

        services.AddHttpForwarder();
        services.AddSingleton<SidecarIdentity>();
        services.AddSingleton<ServiceCatalog>();
        services.AddSingleton<MeshForwarder>();
        services.AddSingleton<ProxyErrorMetrics>();
        services.AddSingleton<OutboundProxy>();
        services.AddSingleton<InboundProxy>();
        services.AddSingleton<Readiness>();
        services.AddHostedService(static sp => sp.GetRequiredService<Readiness>());
        // Mesh's meter, and the process it runs in: CPU, memory, GC, thread pool, open connections (docs/metrics.md).
        var telemetry = services.AddOpenTelemetry().WithMetrics(static metrics => metrics
            .AddMeter(MeshInstruments.Name, KestrelMeter)
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddPrometheusExporter());
        if (effective.Root["Mesh:Telemetry:Otlp:Endpoint"] is { Length: > 0 } otlp)
        {
            // Traces (a span per request and per attempt) and metrics to an OpenTelemetry collector; off by default.
            var endpoint = new Uri(otlp);
            telemetry
                .WithTracing(tracing => tracing.AddSource(MeshInstruments.Name).AddOtlpExporter(o => o.Endpoint = endpoint))
                .WithMetrics(metrics => metrics.AddOtlpExporter(o => o.Endpoint = endpoint));
        }


        var app = builder.Build();
        app.MapWhen(static c => Listeners.Of(c) == Listeners.Admin, AdminEndpoints.Map);
        app.MapWhen(static c => Listeners.Of(c) == Listeners.Inbound, static inbound => inbound.Run(c => c.RequestServices.GetRequiredService<InboundProxy>().InvokeAsync(c)));
        app.Run(static c => c.RequestServices.GetRequiredService<OutboundProxy>().InvokeAsync(c));
        app.Lifetime.ApplicationStarted.Register(() => LogStart(app, effective, listeners));
        return app;
    }

    // The whole configuration at once: the sidecar's own settings, services, policies and DNS discovery.
    private static List<string> ValidateAll(IConfiguration configuration)
    {
        var errors = MeshConfigurationValidator.Validate(configuration);
        errors.AddRange(MeshDnsOptionsValidator.Validate(configuration));
        return errors;
    }

    private static void Listen(KestrelServerOptions kestrel, Listeners listeners, string name, string address, HttpProtocols protocols)
    {
        if (string.IsNullOrEmpty(address) || !ListenAddress.TryParse(address, out var parsed, out _))
        {
            return;
        }

        kestrel.Listen(parsed.Address, parsed.Port, options =>
        {
            options.Protocols = protocols;
            listeners.Add(name, options);
        });
    }

    private static void LogStart(WebApplication app, EffectiveConfiguration effective, Listeners listeners)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.ProxyHost");
        var known = app.Services.GetRequiredService<ServiceCatalog>().Names.ToList();
        logger.LogInformation(
            "Mesh sidecar ready: outbound {Outbound}, inbound {Inbound}, admin {Admin}. Services: {Services}.",
            string.Join(",", listeners.Ports(Listeners.Outbound)),
            string.Join(",", listeners.Ports(Listeners.Inbound)),
            string.Join(",", listeners.Ports(Listeners.Admin)),
            known.Count == 0 ? "none (add one with --Services:orders:http:0=http://127.0.0.1:8081 or in appsettings.json under Services:orders:http)" : string.Join(", ", known));
        _ = effective;
    }
}
