using System.Diagnostics;
using Mesh.Endpoints;

namespace Mesh.Pipeline;

/// <summary>
/// An attempt whose response came with headers that do not settle its verdict (a gRPC response, whose status comes in
/// its trailers): what step 8 needs to conclude it when the response's body ends.
/// </summary>
/// <param name="Endpoint">The endpoint that answered.</param>
/// <param name="Started">When the attempt started, a timestamp of the service's clock.</param>
/// <param name="TimeToHeaders">How long the endpoint took to answer with headers: the latency it is balanced by, which a long stream must not inflate.</param>
/// <param name="IsProbe">Whether the attempt was an ejected endpoint's probe.</param>
/// <param name="Span">The attempt's span, ended with the stream.</param>
/// <param name="Target">The service whose endpoint answered: the request's own, or the backend of a split.</param>
internal sealed record StreamingAttempt(MeshEndpoint Endpoint, long Started, TimeSpan TimeToHeaders, bool IsProbe, Activity? Span, MeshService Target);
