using System.Net;
using BenchmarkDotNet.Attributes;
using Mesh.Classification;

namespace Mesh.Benchmarks;

/// <summary>
/// One classification per attempt, read by retries, failure accrual and the balancer: a 200, a retryable 503, a gRPC
/// trailers-only UNAVAILABLE, a POST 503 (not idempotent), and a connection failure.
/// </summary>
/// <remarks>Each returns the verdict's reason, so the verdict is built and used (ResponseClassification is internal).</remarks>
public class ClassificationBenchmark
{
    private readonly ResponseClassifier _classifier = ResponseClassifier.Default;
    private readonly HttpRequestMessage _get = new(HttpMethod.Get, "http://orders/items/1");
    private readonly HttpRequestMessage _post = new(HttpMethod.Post, "http://orders/items");
    private readonly HttpRequestMessage _grpc = new(HttpMethod.Post, "http://orders/greet.Greeter/SayHello")
    {
        Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { ContentType = new("application/grpc") } },
    };

    private readonly HttpResponseMessage _ok = new(HttpStatusCode.OK);
    private readonly HttpResponseMessage _unavailable = new(HttpStatusCode.ServiceUnavailable);
    private readonly HttpResponseMessage _grpcUnavailable = CreateGrpcUnavailable();
    private readonly HttpRequestException _connect = new(HttpRequestError.ConnectionError, "refused");

    [Benchmark(Baseline = true)]
    public string Ok() => _classifier.Classify(_get, _ok).Reason;

    [Benchmark]
    public string ServerError503() => _classifier.Classify(_get, _unavailable).Reason;

    [Benchmark]
    public string PostServerError503() => _classifier.Classify(_post, _unavailable).Reason;

    [Benchmark]
    public string GrpcUnavailable() => _classifier.Classify(_grpc, _grpcUnavailable).Reason;

    [Benchmark]
    public string ConnectError() => _classifier.Classify(_get, _connect, callerCancelled: false).Reason;

    private static HttpResponseMessage CreateGrpcUnavailable()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("grpc-status", "14");
        return response;
    }
}
