using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// Checks a peer's certificate as both directions of mutual TLS do: its chain must end at a CA of the trust bundle (not
/// the system's store; revocation is not checked, as certificates are short-lived), and it must carry one SPIFFE ID.
/// </summary>
internal static class PeerCertificates
{
    /// <summary>Gets why <paramref name="leaf"/> does not chain to <paramref name="bundle"/> at <paramref name="now"/>; empty when it does.</summary>
    public static string Chain(X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection bundle, DateTimeOffset now)
    {
        using var chain = new X509Chain { ChainPolicy = Policy(bundle, intermediates) };
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (chain.Build(leaf))
        {
            return "";
        }

        var problems = chain.ChainStatus.Where(static s => s.Status != X509ChainStatusFlags.NoError).Select(static s => s.StatusInformation.Trim()).Distinct();
        return string.Join("; ", problems);
    }

    /// <summary>
    /// The chain policy handshakes use (<see cref="SslClientAuthenticationOptions.CertificateChainPolicy"/>): the trust
    /// bundle as the only roots, the peer's intermediates and the workload's own as helpers, no revocation check.
    /// </summary>
    public static X509ChainPolicy Policy(X509Certificate2Collection bundle, X509Certificate2Collection intermediates)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(bundle);
        policy.ExtraStore.AddRange(intermediates);
        return policy;
    }

    /// <summary>
    /// Gets the SPIFFE ID a handshake's peer proved; null, with the reason, when it sent no certificate, one the trust
    /// bundle does not sign, or one without a SPIFFE ID. A name mismatch is not a problem: SPIFFE names workloads by
    /// URI, not by the DNS name or address dialled.
    /// </summary>
    public static SpiffeId? Verify(X509Certificate? certificate, SslPolicyErrors errors, X509Chain? chain, out string reason)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            reason = "presented no certificate";
            return null;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            var problems = chain?.ChainStatus.Where(static s => s.Status != X509ChainStatusFlags.NoError).Select(static s => s.StatusInformation.Trim()).Distinct();
            reason = $"presented a certificate the trust bundle does not sign ({string.Join("; ", problems ?? [])})";
            return null;
        }

        var id = SpiffeCertificate.IdOf(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), out var noId);
        reason = id is null ? $"presented a certificate that {noId}" : "";
        return id;
    }
}
