namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// The sidecar's workload identity, under <c>Mesh:Identity</c>: three PEM files that an identity system (cert-manager's
/// csi-driver-spiffe, SPIRE's spiffe-helper, or <c>mesh identity</c> in development) writes and renews. The paths are
/// read at start; the files themselves are watched, so a renewal is used from the next handshake on.
/// </summary>
public sealed class IdentityOptions
{
    /// <summary>The section of the identity settings.</summary>
    public const string SectionName = "Mesh:Identity";

    /// <summary>
    /// Gets or sets the workload's certificate (PEM): an X.509-SVID, whose one URI SAN is its SPIFFE ID
    /// (<c>spiffe://&lt;trust-domain&gt;/...</c>), followed by any intermediate CA certificates. Default: none (no identity:
    /// the sidecar calls and is called in plaintext).
    /// </summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>Gets or sets the certificate's private key (PEM: PKCS#8, SEC1 EC or PKCS#1 RSA). Default: none.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>
    /// Gets or sets the trust bundle (PEM): the CA certificates a peer's certificate must chain to, one or more, so that
    /// during a CA rotation the old and the new anchors are both trusted. Not the system's store. Default: none.
    /// </summary>
    public string TrustBundleFile { get; set; } = "";

    /// <summary>
    /// Gets or sets the identity a service's endpoints must prove when the service sets no <c>Identity</c> of its own: a
    /// SPIFFE ID or pattern, in which <c>{service}</c> stands for the service's name
    /// (<c>spiffe://cluster.local/ns/shop/sa/{service}</c>), or <c>spiffe://cluster.local/*</c> for any workload of the
    /// trust domain. Set, it makes every configured service meshed (mutual TLS) unless it says <c>none</c>. Default:
    /// none (services are called in plaintext unless they set <c>Identity</c>). Hot-reloaded.
    /// </summary>
    public string DefaultServiceIdentity { get; set; } = "";

    /// <summary>Gets whether any of the files is configured (then all three must be).</summary>
    public bool IsConfigured =>
        !string.IsNullOrEmpty(CertificateFile) || !string.IsNullOrEmpty(KeyFile) || !string.IsNullOrEmpty(TrustBundleFile);
}
