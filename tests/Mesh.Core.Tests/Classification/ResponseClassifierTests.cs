using System.Net;
using Mesh.Classification;
using Polly.Timeout;

namespace Mesh.Core.Tests.Classification;

public class ResponseClassifierTests
{
    private static readonly ResponseClassifier Classifier = ResponseClassifier.Default;

    private static HttpRequestMessage Request(string method) => new(new HttpMethod(method), "http://orders/x");

    [Theory]
    [InlineData("GET", 503, true, true)]
    [InlineData("PUT", 502, true, true)]
    [InlineData("DELETE", 504, true, true)]
    [InlineData("GET", 500, true, false)]
    [InlineData("POST", 503, true, false)]
    [InlineData("PATCH", 502, true, false)]
    [InlineData("GET", 429, false, true)]
    [InlineData("POST", 429, false, false)]
    [InlineData("GET", 200, false, false)]
    [InlineData("GET", 404, false, false)]
    public void Classify_Status(string method, int status, bool failure, bool retryable)
    {
        var result = Classifier.Classify(Request(method), new HttpResponseMessage((HttpStatusCode)status));
        Assert.Equal(failure, result.IsFailure);
        Assert.Equal(retryable, result.IsRetryable);
    }

    [Fact]
    public void Classify_PostWithIdempotencyKey_IsRetryable()
    {
        var request = Request("POST");
        request.Headers.Add("Idempotency-Key", "abc");
        Assert.True(Classifier.Classify(request, new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)).IsRetryable);
    }

    [Fact]
    public void Classify_ServiceConfiguredToRetryAnyMethod_RetriesPost()
    {
        var classifier = new ResponseClassifier(retryNonIdempotent: true);
        Assert.True(classifier.Classify(Request("POST"), new HttpResponseMessage(HttpStatusCode.BadGateway)).IsRetryable);
    }

    [Fact]
    public void Classify_ConnectFailure_IsRetryableForAnyMethod()
    {
        var ex = new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        var result = Classifier.Classify(Request("POST"), ex, callerCancelled: false);
        Assert.Equal(new ResponseClassification(true, true, FailureReasons.ConnectError), result);
    }

    [Fact]
    public async Task Classify_SocketsHttpHandlersConnectTimeout_IsAConnectError_RetryableForAnyMethod()
    {
        // What SocketsHttpHandler throws when a connect outlasts its ConnectTimeout (a cancellation, not an
        // HttpRequestException): nothing was sent, so it is retried like a refused connection, and is not a timeout.
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(50),
            ConnectCallback = async (_, cancellationToken) =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        var request = Request("POST");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Equal(new ResponseClassification(true, true, FailureReasons.ConnectError), Classifier.Classify(request, error, callerCancelled: false));
    }

    [Fact]
    public void Classify_BrokenConnection_RetriesOnlyIdempotent()
    {
        var ex = new HttpRequestException(HttpRequestError.ResponseEnded, "ended");
        Assert.False(Classifier.Classify(Request("POST"), ex, false).IsRetryable);
        Assert.True(Classifier.Classify(Request("GET"), ex, false).IsRetryable);
    }

    [Fact]
    public void Classify_PerTryTimeout_IsFailure_RetryableWhenIdempotent()
    {
        var ex = new TimeoutRejectedException();
        Assert.Equal(new ResponseClassification(true, true, FailureReasons.Timeout), Classifier.Classify(Request("GET"), ex, false));
        Assert.False(Classifier.Classify(Request("POST"), ex, false).IsRetryable);
    }

    [Fact]
    public void Classify_CallerCancelled_IsNeverRetried()
    {
        var result = Classifier.Classify(Request("GET"), new TaskCanceledException(), callerCancelled: true);
        Assert.Equal(FailureReasons.Cancelled, result.Reason);
        Assert.False(result.IsRetryable);
    }

    [Theory]
    [InlineData("14", true, true)]
    [InlineData("4", true, false)]
    [InlineData("13", true, false)]
    [InlineData("15", true, false)]
    [InlineData("8", true, false)]
    [InlineData("5", false, false)]
    [InlineData("0", false, false)]
    public void Classify_GrpcStatusInHeaders(string grpcStatus, bool failure, bool retryable)
    {
        var request = Request("POST");
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new("application/grpc");
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("grpc-status", grpcStatus);

        var result = Classifier.Classify(request, response);
        Assert.Equal(failure, result.IsFailure);
        Assert.Equal(retryable, result.IsRetryable);
    }

    [Theory]
    [InlineData(500, "status_500")]
    [InlineData(501, "status_501")]
    [InlineData(502, "status_502")]
    [InlineData(503, "status_503")]
    [InlineData(504, "status_504")]
    [InlineData(505, "status_5xx")]
    [InlineData(599, "status_5xx")]
    public void Classify_ServerErrors_NameTheirStatus_AsTheMetricLabelDocumented(int status, string reason)
    {
        Assert.Equal(reason, Classifier.Classify(Request("GET"), new HttpResponseMessage((HttpStatusCode)status)).Reason);
    }

    [Fact]
    public void Classify_Exceptions_TheirReasonAndWhetherAnyMethodMayBeRetried()
    {
        var post = Request("POST");
        Assert.Equal(new ResponseClassification(true, false, FailureReasons.Overloaded), Classifier.Classify(post, new Polly.RateLimiting.RateLimiterRejectedException(), false));
        Assert.Equal(new ResponseClassification(true, true, FailureReasons.Refused), Classifier.Classify(post, new HttpRequestException("refused", new HttpProtocolException(0x7, "REFUSED_STREAM", null)), false));
        Assert.Equal(new ResponseClassification(true, false, FailureReasons.ConnectionBroken), Classifier.Classify(post, new IOException("reset"), false));
        Assert.Equal(new ResponseClassification(true, false, FailureReasons.Timeout), Classifier.Classify(post, new OperationCanceledException(), false));
        Assert.Equal(new ResponseClassification(true, false, FailureReasons.Error), Classifier.Classify(Request("GET"), new InvalidOperationException(), false));
        Assert.Equal(new ResponseClassification(true, false, FailureReasons.Cancelled), Classifier.Classify(Request("GET"), new IOException(), callerCancelled: true));
    }
}
