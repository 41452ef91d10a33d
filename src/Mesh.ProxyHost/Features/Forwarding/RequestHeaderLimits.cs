using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// The request header limits the sidecar answers itself (431 with <c>mesh-proxy-error: headers-too-large</c>, counted
/// in <c>mesh.proxy.errors</c>): <c>Mesh:Proxy:MaxRequestHeadersTotalSize</c> (32 KiB, Kestrel's default) and 100
/// fields. Kestrel's own limits, which answer a bare 431 before any application code runs, are set to twice these, so
/// only a request far over them meets Kestrel's; that headroom bounds the memory an oversized request can hold.
/// </summary>
internal sealed class RequestHeaderLimits(int maxTotalSize)
{
    /// <summary>The most header fields a request may carry (Kestrel's default).</summary>
    public const int MaxCount = 100;

    /// <summary>Sets Kestrel's limits above the sidecar's, so the sidecar's answer comes first.</summary>
    public void ConfigureKestrel(KestrelServerLimits limits)
    {
        limits.MaxRequestHeadersTotalSize = 2 * maxTotalSize;
        limits.MaxRequestHeaderCount = 2 * MaxCount;
    }

    /// <summary>Whether the request's headers are over the limits: the size counted as on the wire, <c>name: value</c> and CRLF per field.</summary>
    public bool Exceeded(IHeaderDictionary headers)
    {
        if (headers.Count > MaxCount)
        {
            return true;
        }

        var total = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                total += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        return total > maxTotalSize;
    }
}
