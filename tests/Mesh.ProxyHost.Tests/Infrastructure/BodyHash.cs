using System.Security.Cryptography;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>Reads a body to its end through a small buffer, hashing it, without ever holding it whole.</summary>
public static class BodyHash
{
    /// <summary>Reads and hashes <paramref name="body"/>, telling <paramref name="progress"/> (if any) the bytes read so far after every read.</summary>
    public static async Task<(long Length, string Sha256)> ReadAsync(Stream body, CancellationToken cancellationToken = default, Action<long>? progress = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long length = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            length += n;
            progress?.Invoke(length);
        }

        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
