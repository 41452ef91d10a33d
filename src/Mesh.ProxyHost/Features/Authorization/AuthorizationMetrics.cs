using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>
/// <c>mesh.inbound.authorizations</c>: the inbound requests authorization decided, by decision (<c>allow</c>,
/// <c>deny</c>) and by the rule that decided (its configured name, or <c>default</c>). Requests under an open policy
/// (no rules, default Allow) are not decided and not counted.
/// </summary>
internal sealed class AuthorizationMetrics
{
    private readonly Counter<long> _decisions;

    public AuthorizationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        _decisions = meter.CreateCounter<long>(MeshInstruments.InboundAuthorizations, "{request}", "Inbound requests authorization decided, by decision and rule.");
    }

    public void Record(AuthorizationDecision decision)
    {
        var tags = new TagList
        {
            { MeshInstruments.AuthorizationDecisionTag, decision.Allowed ? "allow" : "deny" },
            { MeshInstruments.AuthorizationRuleTag, decision.Rule },
        };
        _decisions.Add(1, in tags);
    }
}
