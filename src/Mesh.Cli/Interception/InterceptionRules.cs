namespace Mesh.Cli.Interception;

/// <summary>What to redirect where: the options of <c>mesh iptables apply</c> and <c>print</c>, defaults in <see cref="InterceptionConstants"/>.</summary>
/// <param name="OutboundPort">Where TCP the application sends goes (the sidecar's outbound listener).</param>
/// <param name="InboundPort">Where TCP arriving for the pod goes (the sidecar's inbound listener).</param>
/// <param name="ProxyUid">The sidecar's user: what it sends is left alone.</param>
/// <param name="SkipOutboundPorts">Destination ports sent directly, not through the sidecar.</param>
/// <param name="SkipInboundPorts">Destination ports delivered directly; the admin port is added whatever is given.</param>
internal sealed record InterceptionRules(int OutboundPort, int InboundPort, int ProxyUid, PortList SkipOutboundPorts, PortList SkipInboundPorts)
{
    /// <summary>Gets the inbound ports not redirected: the admin port first, then <see cref="SkipInboundPorts"/>.</summary>
    public PortList InboundExceptions => SkipInboundPorts.WithFirst(InterceptionConstants.AdminPort);
}
