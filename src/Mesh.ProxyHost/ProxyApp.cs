using Mesh.Configuration;
using Mesh.Discovery.Dns;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features;
using Mesh.ProxyHost.Features.Admin;
using Mesh.ProxyHost.Features.Authorization;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Identity;
using Mesh.ProxyHost.Features.Inbound;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.ProxyHost.Features.Outbound;
using Mesh.ProxyHost.Features.Detection;
using Mesh.ProxyHost.Features.Tcp;
using Mesh.ProxyHost.Features.Transparent;
using Mesh.Stats;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        var builder = CreateBuilder(args);
        if (builder.Configuration["Mesh:ConfigFile"] is { Length: > 0 } file)
        {
            AddConfigFile(builder.Configuration, Path.GetFullPath(file));

            // Keep environment and command line above the file, as in the usual .NET order.
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(args);
        }

        // Log lines carry the trace and span of the request they belong to.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        configure?.Invoke(builder);
        using var bootLoggers = LoggerFactory.Create(l => l.AddSimpleConsole());
        var effective = new EffectiveConfiguration(builder.Configuration, ValidateAll, SidecarConfigurationShape.Create(), bootLoggers.CreateLogger("Mesh.Configuration"), TimeProvider.System);
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
        var identity = new IdentityOptions();
        effective.Root.GetSection(IdentityOptions.SectionName).Bind(identity);

        // Every listener is tried before the server starts: one that cannot be bound is a start-up error like a bad value.
        var headerLimits = new RequestHeaderLimits(proxy.MaxRequestHeadersTotalSize);
        var twins = new IPv6Twins(proxy.ListenIPv6);
        var listeners = new Listeners(ListenAddresses(proxy, admin, twins));
        var http2Handover = new Http2Handover();
        if (ListenerCheck.Check(listeners.Configured, twins.IsIPv6Only) is { Count: > 0 } bindErrors)
        {
            throw new InvalidConfigurationException(bindErrors);
        }

        // Each accepted connection's input pipe stops reading its socket at 1 MiB (Kestrel's default, set here because
        // the opaque TCP relay's memory bound rests on it: TcpRelay).
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxReadBufferSize = TcpRelay.InputLimit;
            sockets.CreateBoundListenSocket = twins.CreateBoundListenSocket;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.AllowHostHeaderOverride = true;
            RawConnectionHeader.Capture(kestrel);
            kestrel.Limits.RequestHeadersTimeout = proxy.RequestHeadersTimeout;
            headerLimits.ConfigureKestrel(kestrel.Limits);
            kestrel.Limits.MaxConcurrentConnections = proxy.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = proxy.MaxConnections;

            // A proxy streams bodies through; Kestrel's default 30 MB cap would cut larger uploads off midway.
            kestrel.Limits.MaxRequestBodySize = null;

            // The outbound and inbound ports take every protocol (Features/Transparent): HTTP/2 detected on them is handed
            // to the pipeline of an in-process HTTP/2 endpoint (no socket), built first so that it is there when they accept. With
            // an identity, the inbound port terminates mutual TLS too (InboundTlsChain): HTTP/2 or HTTP/1.1 by ALPN, and a
            // peer's HTTP/2 keeps its :scheme (http) over TLS, as Linkerd's does.
            http2Handover.Listen(kestrel);
            kestrel.AllowAlternateSchemes = identity.IsConfigured;
            var inbound = identity.IsConfigured ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
            Listen(kestrel, listeners, twins, Listeners.Outbound, proxy.Outbound.Listen, HttpProtocols.Http1, static (t, next, _) => t.Outbound(next));
            Listen(kestrel, listeners, twins, Listeners.Outbound, proxy.Outbound.ListenHttp2, HttpProtocols.Http2);
            Listen(kestrel, listeners, twins, Listeners.Inbound, proxy.Inbound.Listen, inbound, static (t, next, tls) => t.Inbound(next, tls), mutualTls: identity.IsConfigured);
            Listen(kestrel, listeners, twins, Listeners.Inbound, proxy.Inbound.ListenHttp2, HttpProtocols.Http2);
            Listen(kestrel, listeners, twins, Listeners.Admin, admin.Listen, HttpProtocols.Http1);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = proxy.DrainTimeout + proxy.DrainDelay);

        // Mesh reads the last good configuration, never a half-valid live one.
        var services = builder.Services;
        services.AddSingleton(effective);
        services.AddSingleton<IConfiguration>(effective.Root);
        services.AddSingleton(proxy);
        services.AddSingleton(listeners);
        services.AddSingleton(headerLimits);
        services.AddSidecarIdentity(effective.Root, TimeProvider.System);
        services.AddInboundAuthorization();
        services.AddSingleton(http2Handover);
        services.AddSingleton<IConnectionListenerFactory, InProcessTransport>();
        services.AddMeshCore();
        if (effective.Root.GetSection(MeshDnsOptions.SectionName).Exists())
        {
            // DNS SRV / A discovery for the services mapped under Mesh:Discovery:Dns:Services, and for no other name.
            services.AddMeshDnsDiscovery();
        }

        services.AddHttpForwarder();
        services.AddSingleton<SidecarIdentity>();
        services.AddSingleton<MeshForwarder>();
        services.AddSingleton<ProxyErrorMetrics>();
        services.AddSingleton<OutboundProxy>();
        services.AddSingleton<InboundProxy>();
        services.AddSingleton<InboundRefusals>();
        services.AddSingleton<InboundTcp>();

        // Interception: the protocol detected on one port per direction, opaque TCP (docs/interception.md).
        services.AddSingleton<TcpStatsRegistry>();
        services.AddSingleton<TcpMetrics>();
        services.AddSingleton<TcpConnector>();
        services.AddSingleton<TcpForwarder>();
        services.TryAddSingleton(HostResolver.System);
        services.AddSingleton<DestinationIndex>();
        services.AddSingleton<ServerFirstDestinations>();
        services.AddSingleton<TransparentListener>();
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

        // The start-up log lists the listeners configured, not the in-process HTTP/2 endpoint.
        var server = app.Services.GetRequiredService<IServer>();
        server.Features.Set<IServerAddressesFeature>(new ListenerAddresses(server.Features.Get<IServerAddressesFeature>()!));
        effective.UseLogger(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Configuration"));

        // Each request goes where its listener says, looked up once: the admin port's own pipeline, the inbound proxy,
        // else the outbound one. The proxies are singletons, resolved at the first request rather than per request
        // (a request that never touches RequestServices costs no service scope).
        var adminBranch = ((IApplicationBuilder)app).New();
        AdminEndpoints.Map(adminBranch);
        var adminPipeline = adminBranch.Build();
        InboundProxy? inbound = null;
        OutboundProxy? outbound = null;
        app.Run(c => Listeners.Of(c) switch
        {
            Listeners.Admin => adminPipeline(c),
            Listeners.Inbound => (inbound ??= app.Services.GetRequiredService<InboundProxy>()).InvokeAsync(c),
            _ => (outbound ??= app.Services.GetRequiredService<OutboundProxy>()).InvokeAsync(c),
        });
        app.Lifetime.ApplicationStarted.Register(() => LogStart(app, effective, listeners));
        return app;
    }

    // appsettings.json next to the binary is read as the builder is made: a broken one is an error like any other.
    private static WebApplicationBuilder CreateBuilder(string[] args)
    {
        try
        {
            return WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidConfigurationException([$"{Path.Combine(AppContext.BaseDirectory, "appsettings.json")}: not valid JSON: {ex.GetBaseException().Message}"]);
        }
    }

    // The file named by Mesh:ConfigFile, read at once: missing or not JSON, the sidecar does not start.
    private static void AddConfigFile(ConfigurationManager configuration, string path)
    {
        try
        {
            configuration.AddJsonFile(path, optional: false, reloadOnChange: true);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidConfigurationException([$"Mesh:ConfigFile {path}: the file does not exist"]);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidConfigurationException([$"Mesh:ConfigFile {path}: not valid JSON: {ex.GetBaseException().Message}"]);
        }
        catch (IOException ex)
        {
            throw new InvalidConfigurationException([$"Mesh:ConfigFile {path}: cannot be read: {ex.Message}"]);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidConfigurationException([$"Mesh:ConfigFile {path}: cannot be read: {ex.Message}"]);
        }
    }

    // Each listener that is on, by its key, and its IPv6 twin after it.
    private static IEnumerable<KeyValuePair<string, ListenAddress>> ListenAddresses(ProxyOptions proxy, AdminOptions admin, IPv6Twins twins)
    {
        (string Key, string Value)[] listeners =
        [
            ("Mesh:Proxy:Outbound:Listen", proxy.Outbound.Listen),
            ("Mesh:Proxy:Outbound:ListenHttp2", proxy.Outbound.ListenHttp2),
            ("Mesh:Proxy:Inbound:Listen", proxy.Inbound.Listen),
            ("Mesh:Proxy:Inbound:ListenHttp2", proxy.Inbound.ListenHttp2),
            ("Mesh:Admin:Listen", admin.Listen),
        ];
        foreach (var (key, value) in listeners)
        {
            if (!string.IsNullOrEmpty(value) && ListenAddress.TryParse(value, out var parsed, out _))
            {
                yield return KeyValuePair.Create(key, parsed);
                if (twins.Of(parsed) is { } twin)
                {
                    yield return KeyValuePair.Create($"{key} (its IPv6 twin, Mesh:Proxy:ListenIPv6)", twin);
                }
            }
        }
    }

    // The whole configuration at once: the sidecar's own settings, services, policies and DNS discovery.
    private static List<string> ValidateAll(IConfiguration configuration)
    {
        var errors = MeshConfigurationValidator.Validate(configuration);
        errors.AddRange(MeshDnsOptions.Validate(configuration));
        return errors;
    }

    // The listener, and its IPv6 twin with the same role (IPv6Twins).
    private static void Listen(KestrelServerOptions kestrel, Listeners listeners, IPv6Twins twins, string name, string address, HttpProtocols protocols, Func<TransparentListener, ConnectionDelegate, InboundTlsChain?, ConnectionDelegate>? detect = null, bool mutualTls = false)
    {
        if (string.IsNullOrEmpty(address) || !ListenAddress.TryParse(address, out var parsed, out _))
        {
            return;
        }

        foreach (var bound in twins.Of(parsed) is { } twin ? [parsed, twin] : new[] { parsed })
        {
            kestrel.Listen(bound.Address, bound.Port, options =>
            {
                options.Protocols = protocols;
                listeners.Add(name, options);
                if (detect is not null)
                {
                    // Built as the server binds, once the application's services exist; mutual TLS after the detection.
                    var tls = mutualTls ? new InboundTlsChain() : null;
                    options.Use(next => detect(options.ApplicationServices.GetRequiredService<TransparentListener>(), next, tls));
                    tls?.AddTo(options);
                }
            });
        }
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
