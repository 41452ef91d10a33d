using System.Globalization;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// How close an identity is to its expiry, at one moment: <c>ok</c>, <c>expiring</c> (under a fifth of its lifetime left,
/// when renewal should long have happened: cert-manager renews at two thirds, SPIRE at half) or <c>expired</c>, with the
/// seconds left (negative once expired) and the warning operators see in <c>/config</c>, the dashboard and <c>mesh check</c>.
/// </summary>
internal readonly record struct IdentityExpiry(string State, double SecondsLeft, double LifetimeLeft, string? Warning)
{
    public const string Ok = "ok";
    public const string Expiring = "expiring";
    public const string Expired = "expired";

    /// <summary>The share of its lifetime under which an identity is <c>expiring</c>.</summary>
    public const double WarningShare = 0.2;

    public static IdentityExpiry Of(WorkloadIdentity identity, DateTimeOffset now)
    {
        var left = identity.NotAfter - now;
        var lifetime = identity.NotAfter - identity.NotBefore;
        var share = lifetime > TimeSpan.Zero ? left / lifetime : 0;
        var id = identity.Id.Value;
        var at = Utc(identity.NotAfter);
        if (left <= TimeSpan.Zero)
        {
            return new(Expired, left.TotalSeconds, share, $"the certificate of {id} expired at {at} ({Describe(-left)} ago): peers refuse it; renew it");
        }

        if (share < WarningShare)
        {
            return new(Expiring, left.TotalSeconds, share, $"the certificate of {id} expires at {at}, in {Describe(left)}: {Math.Round(share * 100).ToString(CultureInfo.InvariantCulture)}% of its lifetime is left; has its renewal stopped?");
        }

        return new(Ok, left.TotalSeconds, share, null);
    }

    /// <summary>Writes a certificate time as messages do: <c>2026-12-01T10:00:00Z</c>.</summary>
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 2 ? $"{(int)span.TotalDays} days"
        : span.TotalHours >= 2 ? $"{(int)span.TotalHours} hours"
        : span.TotalMinutes >= 2 ? $"{(int)span.TotalMinutes} minutes"
        : $"{(int)span.TotalSeconds} seconds";
}
