using System.Runtime.CompilerServices;

namespace Mesh.Pipeline;

/// <summary>
/// What a caller set on one request through <see cref="MeshRequestOptions"/>, read once as the request starts. A request
/// that set nothing costs nothing: <see cref="HttpRequestMessage.Options"/> creates its dictionary on first read, so the
/// field behind it is read instead, and the property only if that field is not there.
/// </summary>
/// <param name="Timeout">The request's own deadline from now, if set.</param>
/// <param name="Idempotent">The caller's word on whether the request may be sent twice, if given.</param>
/// <param name="NoRetry">Whether the request gets one attempt only.</param>
internal readonly record struct RequestOverrides(TimeSpan? Timeout, bool? Idempotent, bool NoRetry)
{
    private static bool _fieldMissing;

    /// <summary>Reads the overrides set on <paramref name="request"/>.</summary>
    public static RequestOverrides Of(HttpRequestMessage request)
    {
        if (OptionsOf(request) is not { } options || ((IDictionary<string, object?>)options).Count == 0)
        {
            return default;
        }

        return new RequestOverrides(
            options.TryGetValue(MeshRequestOptions.Timeout, out var timeout) ? timeout : null,
            options.TryGetValue(MeshRequestOptions.Idempotent, out var idempotent) ? idempotent : null,
            options.TryGetValue(MeshRequestOptions.NoRetry, out var noRetry) && noRetry);
    }

    // The options a request already has, without making an empty set for one that has none.
    private static HttpRequestOptions? OptionsOf(HttpRequestMessage request)
    {
        if (!Volatile.Read(ref _fieldMissing))
        {
            try
            {
                return OptionsField(request);
            }
            catch (MissingFieldException)
            {
                // A runtime whose HttpRequestMessage keeps its options elsewhere: read the property from now on.
                Volatile.Write(ref _fieldMissing, true);
            }
        }

        return request.Options;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_options")]
    private static extern ref HttpRequestOptions? OptionsField(HttpRequestMessage request);
}
