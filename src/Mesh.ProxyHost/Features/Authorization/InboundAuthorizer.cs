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

    /// <summary>Decides whether the caller of <paramref name="context"/> (who proved <paramref name="clientId"/>, or null) may reach the application; counts it.</summary>
    public bool Allows(HttpContext context, string? clientId, out AuthorizationDecision decision)
    {
        var policy = _policy;
        if (policy.IsOpen)
        {
            decision = new AuthorizationDecision(true, AuthorizationDecision.DefaultRule);
            return true;
        }

        decision = policy.Decide(context.Connection.LocalPort, context.Request.Path.Value ?? "/", clientId);
        _metrics.Record(decision);
        if (!decision.Allowed)
        {
            Log.Denied(_logger, clientId ?? "an unauthenticated caller", context.Request.Path.Value ?? "/", decision.Rule);
        }

        return decision.Allowed;
    }

    public void Dispose() => _subscription.Dispose();

    private void Refresh()
    {
        var options = new InboundAuthorizationOptions();
        _configuration.GetSection(Section).Bind(options);
        _policy = AuthorizationPolicy.From(options);
    }

    private static partial class Log
    {
        [LoggerMessage(72, LogLevel.Debug, "Denied {Client} the path {Path} (authorization rule {Rule}).")]
        public static partial void Denied(ILogger logger, string client, string path, string rule);
    }
}
