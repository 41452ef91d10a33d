using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// The header fields a message's <c>Connection</c> header names are meant for the next hop only, and a proxy removes
/// them before it forwards the message (RFC 9110 §7.6.1), both ways. YARP drops the standard hop-by-hop fields; these
/// are the others. Left alone: <c>close</c> and <c>keep-alive</c> (options, and YARP drops <c>Keep-Alive</c> anyway),
/// and the names that frame or route the message: <c>Upgrade</c> (WebSockets and h2c take YARP's upgrade path),
/// <c>TE</c> (YARP keeps <c>TE: trailers</c> for gRPC), <c>Host</c>, <c>Content-Length</c>, <c>Transfer-Encoding</c>.
/// </summary>
internal static class ConnectionNominatedHeaders
{
    /// <summary>Removes the fields <paramref name="connection"/> names from a request about to be forwarded.</summary>
    public static void Remove(StringValues connection, HttpRequestHeaders headers, HttpContentHeaders? content)
    {
        foreach (var value in connection)
        {
            foreach (var name in Names(value))
            {
                RemoveFrom(headers, name);
                if (content is not null)
                {
                    RemoveFrom(content, name);
                }
            }
        }
    }

    /// <summary>Removes the fields <paramref name="connection"/> names from a response about to be sent back.</summary>
    public static void Remove(HeaderStringValues connection, IHeaderDictionary headers)
    {
        foreach (var value in connection)
        {
            foreach (var name in Names(value))
            {
                headers.Remove(name);
            }
        }
    }

    // HttpHeaders.Remove throws on a name that belongs in another collection (Content-Type among request headers): a
    // name is removed only from the collection that holds it.
    private static void RemoveFrom(HttpHeaders headers, string name)
    {
        if (headers.NonValidated.Contains(name))
        {
            headers.Remove(name);
        }
    }

    // The header names a Connection value lists, skipping options that name no field (close) and the kept ones above.
    private static IEnumerable<string> Names(string? value)
    {
        if (string.IsNullOrEmpty(value) || (!value.Contains(',') && IsKept(value.Trim())))
        {
            // The usual "keep-alive" or "close": nothing to remove, nothing to split.
            yield break;
        }

        foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IsToken(token) && !IsKept(token))
            {
                yield return token;
            }
        }
    }

    private static bool IsKept(string name) =>
        name.Equals("close", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("upgrade", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("te", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("host", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("content-length", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase);

    // RFC 9110 §5.6.2 tchar: anything else is not a field name (and HttpHeaders would throw on it).
    private static bool IsToken(string token)
    {
        foreach (var c in token)
        {
            if (c > 0x7e || !(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }

        return true;
    }
}
