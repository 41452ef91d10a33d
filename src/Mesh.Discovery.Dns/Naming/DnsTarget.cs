namespace Mesh.Discovery.Dns.Naming;

/// <summary>What one service's DNS lookup asks for: SRV records of <see cref="Name"/>, or its A/AAAA records on <see cref="Port"/>.</summary>
/// <param name="Kind">SRV or A/AAAA.</param>
/// <param name="Name">The absolute DNS name (ending with a dot).</param>
/// <param name="Port">The port of A/AAAA endpoints; 0 for SRV, whose records carry the port.</param>
internal sealed record DnsTarget(DnsTargetKind Kind, string Name, int Port)
{
    public override string ToString() => Kind == DnsTargetKind.Srv ? $"SRV {Name}" : $"A/AAAA {Name} port {Port}";
}

/// <summary>The kind of lookup a <see cref="DnsTarget"/> makes.</summary>
internal enum DnsTargetKind
{
    /// <summary>SRV records: targets and ports.</summary>
    Srv,

    /// <summary>A and AAAA records of one host, on a configured port.</summary>
    Address,
}
