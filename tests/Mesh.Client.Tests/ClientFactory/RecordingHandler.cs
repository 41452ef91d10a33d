using System.Collections.Concurrent;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// A primary handler of the application's own (not a SocketsHttpHandler), answering 200 in memory to both kinds of
/// send and recording the URIs it was given: what reaches the transport under a meshed client.
/// </summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    public ConcurrentQueue<Uri> Sent { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Sent.Enqueue(request.RequestUri!);
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request };
    }
}
