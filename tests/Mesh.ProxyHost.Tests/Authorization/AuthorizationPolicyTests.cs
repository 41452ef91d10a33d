using Mesh.ProxyHost.Features.Authorization;

namespace Mesh.ProxyHost.Tests.Authorization;

/// <summary>How inbound authorization decides: the most specific covering rule, else the default.</summary>
public class AuthorizationPolicyTests
{
    private const string Web = "spiffe://example.org/ns/shop/sa/web";
    private const string Ops = "spiffe://example.org/ns/ops/sa/console";
    private const string Other = "spiffe://other.org/ns/shop/sa/web";

    private static AuthorizationPolicy Policy(string defaultDecision, params (string Name, AuthorizationRuleOptions Rule)[] rules)
    {
        var options = new InboundAuthorizationOptions { Default = defaultDecision };
        foreach (var (name, rule) in rules)
        {
            options.Rules[name] = rule;
        }

        return AuthorizationPolicy.From(options);
    }

    [Fact]
    public void TheDefaultPolicy_IsOpen_AndAllowsEveryone()
    {
        var policy = AuthorizationPolicy.From(new InboundAuthorizationOptions());

        Assert.True(policy.IsOpen);
        Assert.Equal(new AuthorizationDecision(true, "default"), policy.Decide(4143, "/x", null));
    }

    [Theory]
    [InlineData("Allow", null, true)]
    [InlineData("Authenticated", null, false)]
    [InlineData("authenticated", Web, true)]
    [InlineData("Deny", Web, false)]
    public void WithoutRules_TheDefaultDecides(string defaultDecision, string? client, bool allowed)
    {
        Assert.Equal(new AuthorizationDecision(allowed, "default"), Policy(defaultDecision).Decide(4143, "/orders", client));
    }

    [Theory]
    [InlineData("/admin", Ops, true, "admin")]
    [InlineData("/admin/users", Ops, true, "admin")]
    [InlineData("/admin", Web, false, "admin")]
    [InlineData("/administrator", Web, true, "shop")]
    [InlineData("/orders", Web, true, "shop")]
    [InlineData("/orders", Other, false, "shop")]
    [InlineData("/orders", null, false, "shop")]
    [InlineData("/health", null, true, "health")]
    [InlineData("/health/live", Web, false, "health")]
    public void TheMostSpecificCoveringRule_Decides_ByWholeSegments(string path, string? client, bool allowed, string rule)
    {
        var policy = Policy(
            "Deny",
            ("shop", new AuthorizationRuleOptions { PathPrefix = "/", Clients = ["spiffe://example.org/ns/shop/*", "spiffe://example.org/ns/ops/*"] }),
            ("admin", new AuthorizationRuleOptions { PathPrefix = "/admin", Clients = ["spiffe://example.org/ns/ops/sa/*"] }),
            ("health", new AuthorizationRuleOptions { PathPrefix = "/health", AllowUnauthenticated = true }));

        Assert.Equal(new AuthorizationDecision(allowed, rule), policy.Decide(4143, path, client));
    }

    [Fact]
    public void ARuleForAPort_CoversThatPortOnly_AndBeatsOneForEveryPort()
    {
        var policy = Policy(
            "Allow",
            ("metrics-port", new AuthorizationRuleOptions { Port = 9090, AllowUnauthenticated = true }),
            ("everyone-authenticated", new AuthorizationRuleOptions { Clients = ["*"] }));

        Assert.Equal(new AuthorizationDecision(true, "metrics-port"), policy.Decide(9090, "/metrics", null));
        Assert.Equal(new AuthorizationDecision(false, "everyone-authenticated"), policy.Decide(4143, "/metrics", null));
        Assert.Equal(new AuthorizationDecision(true, "everyone-authenticated"), policy.Decide(4143, "/metrics", Other));
    }

    [Fact]
    public void TheValidator_NamesEveryBadValue_WithItsKey()
    {
        var options = new InboundAuthorizationOptions { Default = "Maybe" };
        options.Rules["admin"] = new AuthorizationRuleOptions { PathPrefix = "admin", Port = 70000, Clients = ["spiffe://example.org/ops", "ops"] };
        var errors = new List<string>();

        AuthorizationOptionsValidator.Validate(options, errors);

        Assert.Equal(
        [
            "Mesh:Proxy:Inbound:Authorization:Default must be Allow, Authenticated or Deny, was 'Maybe'",
            "Mesh:Proxy:Inbound:Authorization:Rules:admin:PathPrefix must start with '/', was 'admin'",
            "Mesh:Proxy:Inbound:Authorization:Rules:admin:Port must be in [0, 65535] (0: every port), was 70000",
            "Mesh:Proxy:Inbound:Authorization:Rules:admin:Clients:1 must be a SPIFFE ID (spiffe://<trust-domain>/<path>), a pattern of one with *, or * for any authenticated client, was 'ops': it does not start with spiffe://",
        ], errors);
    }
}
