using System.Net;
using Mesh.Configuration;
using Mesh.FailureAccrual;
using Mesh.Identity;
using Mesh.LoadBalancing;
using Mesh.ProxyHost.Features.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.ProxyHost.Configuration;

/// <summary>
/// Validates a whole sidecar configuration at once and lists every error with its key: the sidecar's own settings,
/// every service's endpoints (<c>Services:{service}:{name}:{i}</c>) and every service's policy (<c>Mesh:Services:{service}</c>).
/// </summary>
internal static class MeshConfigurationValidator
{
    private static readonly MeshServiceOptionsValidator ServiceValidator = new(new LoadBalancerRegistry([]), new FailureAccrualPolicyRegistry([]));

    public static List<string> Validate(IConfiguration configuration)
    {
        var errors = new List<string>();
        var proxy = new ProxyOptions();
        Bind(() => configuration.GetSection(ProxyOptions.SectionName).Bind(proxy), errors);
        var admin = new AdminOptions();
        Bind(() => configuration.GetSection(AdminOptions.SectionName).Bind(admin), errors);
        ProxyOptionsValidator.Validate(proxy, admin, errors);
        var identity = new IdentityOptions();
        Bind(() => configuration.GetSection(IdentityOptions.SectionName).Bind(identity), errors);
        IdentityOptionsValidator.Validate(identity, errors);
        if (proxy.Inbound.IsStrict)
        {
            IdentityOptionsValidator.RequireIdentity("Mesh:Proxy:Inbound:Tls=Strict", identity, errors);
            if (!string.IsNullOrEmpty(proxy.Inbound.ListenHttp2))
            {
                errors.Add($"Mesh:Proxy:Inbound:ListenHttp2 must be empty when Mesh:Proxy:Inbound:Tls is Strict: it serves cleartext HTTP/2, and Strict serves mutual TLS only (the inbound port takes gRPC over mutual TLS), was '{proxy.Inbound.ListenHttp2}'");
            }
        }

        if (configuration["Mesh:Telemetry:Otlp:Endpoint"] is { Length: > 0 } otlp && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
        {
            errors.Add($"Mesh:Telemetry:Otlp:Endpoint must be an absolute URL such as http://127.0.0.1:4317, was '{otlp}'");
        }


        foreach (var service in configuration.GetSection("Services").GetChildren())
        {
            foreach (var endpoints in service.GetChildren())
            {
                var values = endpoints.Value is not null ? [endpoints] : endpoints.GetChildren().ToList();
                foreach (var value in values)
                {
                    if (value.Value is null || !ServiceEndpoint.TryParse(value.Value, out var endpoint) || !HasUsableHost(endpoint))
                    {
                        errors.Add($"{value.Path} must be an endpoint URL or host:port, was '{value.Value}'");
                    }
                    else if (endpoint.EndPoint is UriEndPoint { Uri.Scheme: not ("http" or "https") } unusable)
                    {
                        errors.Add($"{value.Path} must be an http:// or https:// URL (or host:port): Mesh cannot send to '{unusable.Uri.Scheme}', was '{value.Value}'");
                    }
                }
            }
        }

        var known = ServiceCatalog.NamesIn(configuration);
        foreach (var service in configuration.GetSection(MeshServiceOptions.SectionName).GetChildren())
        {
            var options = new MeshServiceOptions();
            Bind(() => service.Bind(options), errors);
            if (ServiceValidator.Validate(service.Key, options).Failures is { } failures)
            {
                errors.AddRange(failures);
            }
            else if (ServiceIdentity.Resolve(options.Identity, null, service.Key) is not null)
            {
                IdentityOptionsValidator.RequireIdentity($"{service.Path}:Identity", identity, errors);
            }

            for (var i = 0; i < options.Addresses.Count; i++)
            {
                if (!IPEndPoint.TryParse(options.Addresses[i], out var address) || address.Port == 0)
                {
                    errors.Add($"Mesh:Services:{service.Key}:Addresses:{i} must be an IP address and port such as 10.96.0.10:80, was '{options.Addresses[i]}'");
                }
            }

            CheckBackends($"{service.Path}:Backends", options.Backends, known, errors);
            foreach (var (name, route) in options.Routes)
            {
                CheckBackends($"{service.Path}:Routes:{name}:Backends", route.Backends, known, errors);
            }
        }

        return errors;
    }

    // A split's backends are services of their own: the sidecar must know each one, or its share would fail no-endpoints.
    private static void CheckBackends(string prefix, Dictionary<string, int> backends, IReadOnlySet<string> known, List<string> errors)
    {
        foreach (var backend in backends.Keys)
        {
            if (!known.Contains(backend))
            {
                errors.Add($"{prefix}:{backend} names no configured service: give it endpoints under Services:{backend} (or Mesh:Discovery:Dns:Services:{backend})");
            }
        }
    }

    // ServiceEndpoint.TryParse takes almost anything for a URI ('not a url' included); discovery would then fail to
    // make an address of it at run time, so only a host a URL can carry is accepted.
    private static bool HasUsableHost(ServiceEndpoint endpoint) => endpoint.EndPoint switch
    {
        IPEndPoint => true,
        DnsEndPoint dns => Uri.CheckHostName(dns.Host) != UriHostNameType.Unknown,
        UriEndPoint uri => uri.Uri.IsAbsoluteUri && Uri.CheckHostName(uri.Uri.IdnHost) != UriHostNameType.Unknown,
        _ => false,
    };

    // The binder names the key and the type in its message: "Failed to convert configuration value at 'Mesh:...' to type ...".
    private static void Bind(Action bind, List<string> errors)
    {
        try
        {
            bind();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ex.Message);
        }
    }
}
