using System.Collections.Concurrent;
using System.Globalization;

namespace Mesh.Upstream;

/// <summary>
/// What endpoints said about how long they keep an idle connection: an HTTP/1.1 response's <c>Keep-Alive: timeout=N</c>
/// (Node's and Apache's servers send it). SocketsHttpHandler honours the header only on HTTP/1.0 responses, so Mesh
/// reads it and keeps that endpoint's connections idle for less: N − 1 s, or N/2 when that is longer (0.5 s for
/// <c>timeout=1</c>). Bounded: past <see cref="Capacity"/> endpoints the hints start again from nothing.
/// </summary>
internal sealed class KeepAliveHints
{
    /// <summary>The most endpoints remembered.</summary>
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<string, TimeSpan> _byEndpoint = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _any;

    /// <summary>Gets the idle timeout to use for <paramref name="endpoint"/>: <paramref name="configured"/>, or less if it asked.</summary>
    public TimeSpan For(Uri endpoint, TimeSpan configured) =>
        _any && _byEndpoint.TryGetValue(endpoint.Authority, out var hinted) && hinted < configured ? hinted : configured;

    /// <summary>Reads the <c>Keep-Alive</c> header of a response from <paramref name="endpoint"/>, if it has one.</summary>
    public void Observe(Uri endpoint, HttpResponseMessage response)
    {
        if (response.Version.Major != 1 ||
            !response.Headers.NonValidated.TryGetValues("Keep-Alive", out var values) ||
            TimeoutOf(values.ToString()) is not { } seconds)
        {
            return;
        }

        var hint = TimeSpan.FromSeconds(Math.Max(seconds - 1, seconds / 2.0));
        var authority = endpoint.Authority;
        if (_byEndpoint.TryGetValue(authority, out var known) && known == hint)
        {
            return;
        }

        if (_byEndpoint.Count >= Capacity)
        {
            _byEndpoint.Clear();
        }

        _byEndpoint[authority] = hint;
        _any = true;
    }

    /// <summary>Parses the <c>timeout</c> parameter of a <c>Keep-Alive</c> value (RFC 2068 §19.7.1): whole seconds, at least 1.</summary>
    internal static int? TimeoutOf(string value)
    {
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).Trim().Equals("timeout", StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(part.AsSpan(equals + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) &&
                seconds > 0)
            {
                return seconds;
            }
        }

        return null;
    }
}
