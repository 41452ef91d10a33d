using System.Net;

namespace Mesh.Benchmarks.Support;

/// <summary>
/// The in-memory primary handler every client benchmark ends in: answers every request with the same cached 200,
/// from a cached completed task, so the network, the socket pool and the response allocation stay out of the numbers.
/// </summary>
internal sealed class CachedOkHandler : HttpMessageHandler
{
    private readonly Task<HttpResponseMessage> _ok = Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _ok;
}
