using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>
/// Authorizes inbound requests with the policy of the configuration in effect, compiled again on each reload (a reload
/// is validated whole first, so the policy swapped in is a valid one) and swapped atomically: a request reads one
/// policy, never half of two. An open policy (the default) decides nothing and costs one read.
/// </summary>
internal sealed partial class InboundAuthorizer : IDisposable
{
    private const string Section = "Mesh:Proxy:Inbound:Authorization";

    private readonly IConfiguration _configuration;
    private readonly AuthorizationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private volatile AuthorizationPolicy _policy = AuthorizationPolicy.From(new InboundAuthorizationOptions());

    public InboundAuthorizer(IConfiguration configuration, AuthorizationMetrics metrics, ILogger<InboundAuthorizer> logger)
    {
        _configuration = configuration;
        _metrics = metrics;
        _logger = logger;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Refresh);
        Refresh();
    }

    /// <summary>
    /// Decides whether a request for <paramref name="path"/> to the application's <paramref name="port"/> by a caller that
    /// proved <paramref name="clientId"/> (or null) may reach the application; counts it.
    /// </summary>
    public bool Allows(int port, string path, string? clientId, out AuthorizationDecision decision)
    {
        var policy = _policy;
        if (policy.IsOpen)
        {
            decision = new AuthorizationDecision(true, AuthorizationDecision.DefaultRule);
            return true;
        }

        decision = policy.Decide(port, path, clientId);
        _metrics.Record(decision);
        if (!decision.Allowed)
        {
            Log.Denied(_logger, clientId ?? "an unauthenticated caller", path, port, decision.Rule);
        }

        return decision.Allowed;
    }

    /// <summary>Decides an opaque TCP connection to the application's <paramref name="port"/>, as a request for <c>/</c> there (rules for narrower paths do not cover it); counts it.</summary>
    public bool AllowsConnection(int port, string? clientId) => Allows(port, "/", clientId, out _);

    public void Dispose() => _subscription.Dispose();

    private void Refresh()
    {
        var options = new InboundAuthorizationOptions();
        _configuration.GetSection(Section).Bind(options);
        _policy = AuthorizationPolicy.From(options);
    }

    private static partial class Log
    {
        [LoggerMessage(72, LogLevel.Debug, "Denied {Client} the path {Path} on port {Port} (authorization rule {Rule}).")]
        public static partial void Denied(ILogger logger, string client, string path, int port, string rule);
    }
}
