using Mesh.Bodies;
using Mesh.Telemetry;

namespace Mesh.Pipeline;

/// <summary>
/// What the end of a response's body concludes: the bytes each way are counted on the service, and a request whose
/// verdict or measure waited for the end (a gRPC status in trailers; an upgraded connection, measured until it closes)
/// is concluded then (<see cref="MeshPipeline.StreamEnded"/>).
/// </summary>
internal sealed class ExchangeEnd : IResponseEndObserver
{
    private readonly MeshService _service;
    private readonly MeshRequest? _request;
    private readonly HttpResponseMessage? _response;

    // What the request body's bytes are read from: the wrapper that counts a streamed body, or an in-memory body's length.
    private readonly ReplayableContent? _body;
    private readonly long _bodyLength;

    /// <summary>Counts the bytes of a request concluded already (at its response's headers).</summary>
    public ExchangeEnd(MeshService service, MeshRequest request)
    {
        _service = service;
        _body = request.Body;
        _bodyLength = request.Body is null ? request.BodyBytes : 0;
    }

    /// <summary>Concludes <paramref name="request"/>, answered with <paramref name="response"/>, when its body ends.</summary>
    public ExchangeEnd(MeshService service, MeshRequest request, HttpResponseMessage response)
        : this(service, request)
    {
        _request = request;
        _response = response;
    }

    public void Ended(ResponseEnd end, Exception? error, long read, long written)
    {
        var bytes = new ExchangeBytes((_body?.SourceBytes ?? _bodyLength) + written, read);
        if (_request is null)
        {
            _service.Recorder.RecordBytes(bytes);
            return;
        }

        MeshPipeline.StreamEnded(_service, _request, _response!, end, error, bytes);
    }
}
