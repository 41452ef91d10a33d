using System.Net;
using Mesh.Classification;
using Mesh.Configuration;

namespace Mesh.Core.Tests.Classification;

/// <summary>
/// Configured classes (<c>Mesh:Services:{s}:Classification</c>): statuses as codes, ranges and classes, gRPC statuses by
/// name or number; a key left unset keeps what it inherits (the defaults, or a route's service's), and the defaults are
/// the rules README documents.
/// </summary>
public class ResponseClassesTests
{
    private static HttpRequestMessage Get() => new(HttpMethod.Get, "http://orders/x");

    private static HttpRequestMessage GrpcPost()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/pkg.Orders/Get") { Content = new ByteArrayContent([]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        return request;
    }

    private static HttpResponseMessage Grpc(string status)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("grpc-status", status);
        return response;
    }

    private static ResponseClassifier Classifier(ClassificationOptions options, bool? idempotent = null) =>
        new(retryNonIdempotent: false, ResponseClasses.From(options, ResponseClasses.Default, "Classification"), idempotent);

    [Theory]
    [InlineData("429,502-504", 503, true)]
    [InlineData("429,502-504", 501, false)]
    [InlineData("5xx", 599, true)]
    [InlineData("5XX , 404", 404, true)]
    [InlineData("100-199", 150, true)]
    [InlineData("", 500, false)]
    [InlineData("  ", 500, false)]
    public void StatusCodeSet_ReadsCodesRangesAndClasses(string text, int status, bool contained)
    {
        Assert.True(StatusCodeSet.TryParse(text, out var set, out var error), error);
        Assert.Equal(contained, set.Contains(status));
    }

    [Theory]
    [InlineData("600", "'600'")]
    [InlineData("99", "'99'")]
    [InlineData("504-502", "'504-502'")]
    [InlineData("6xx", "'6xx'")]
    [InlineData("503,,504", "''")]
    [InlineData("abc", "'abc'")]
    public void StatusCodeSet_RefusesWhatIsNotAStatus_NamingTheItem(string text, string item)
    {
        Assert.False(StatusCodeSet.TryParse(text, out _, out var error));
        Assert.Contains(item, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UNAVAILABLE", 14)]
    [InlineData("deadline-exceeded", 4)]
    [InlineData("Resource_Exhausted", 8)]
    [InlineData("16", 16)]
    [InlineData("0", 0)]
    public void GrpcCodeSet_ReadsNamesAndNumbers(string text, int number)
    {
        var code = (GrpcStatusCode)number;
        Assert.True(GrpcCodeSet.TryParse(text, out var set, out var error), error);
        Assert.True(set.Contains(code));
        Assert.False(set.Contains(code == GrpcStatusCode.Internal ? GrpcStatusCode.Aborted : GrpcStatusCode.Internal));
    }

    [Theory]
    [InlineData("17")]
    [InlineData("UNAVAILABLEX")]
    [InlineData("-1")]
    [InlineData("Unavailable,nope")]
    public void GrpcCodeSet_RefusesWhatIsNoStatus(string text) => Assert.False(GrpcCodeSet.TryParse(text, out _, out _));

    [Fact]
    public void Defaults_AreTheDocumentedRules()
    {
        var classifier = Classifier(new ClassificationOptions());
        Assert.Same(ResponseClasses.Default, ResponseClasses.From(new ClassificationOptions(), ResponseClasses.Default, "x"));
        Assert.Equal(new ResponseClassification(true, true, "status_503"), classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        Assert.Equal(new ResponseClassification(false, true, "status_429"), classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.TooManyRequests)));
        Assert.Equal(new ResponseClassification(true, false, "status_500"), classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.InternalServerError)));
        Assert.Equal(ResponseClassification.Success, classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.NotFound)));
        Assert.Equal(new ResponseClassification(true, true, FailureReasons.GrpcUnavailable), classifier.Classify(GrpcPost(), Grpc("14")));
        Assert.Equal(new ResponseClassification(true, false, FailureReasons.GrpcFailure), classifier.Classify(GrpcPost(), Grpc("8")));
        Assert.Equal(ResponseClassification.Success, classifier.Classify(GrpcPost(), Grpc("5")));
    }

    [Fact]
    public void ConfiguredStatuses_ChangeTheVerdict_AndTheReasonNamesTheStatus()
    {
        var classifier = Classifier(new ClassificationOptions { FailureStatuses = "404,502-599", RetryableStatuses = "409" });

        Assert.Equal(new ResponseClassification(true, false, "status_404"), classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.NotFound)));
        Assert.Equal(new ResponseClassification(false, true, "status_409"), classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.Conflict)));
        Assert.Equal(ResponseClassification.Success, classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.InternalServerError)));
        Assert.Equal(new ResponseClassification(true, false, "status_503"), classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        Assert.Equal(ResponseClassification.Success, classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.TooManyRequests)));
    }

    [Fact]
    public void ConfiguredGrpcStatuses_ChangeTheVerdict_AndUnavailableStaysRetryableForAnyGrpcCall()
    {
        var classifier = Classifier(new ClassificationOptions { FailureGrpcStatuses = "NOT_FOUND,UNAVAILABLE", RetryableGrpcStatuses = "UNAVAILABLE,ABORTED" });

        Assert.Equal(new ResponseClassification(true, false, FailureReasons.GrpcFailure), classifier.Classify(GrpcPost(), Grpc("5")));
        Assert.Equal(ResponseClassification.Success, classifier.Classify(GrpcPost(), Grpc("13")));
        Assert.Equal(new ResponseClassification(true, true, FailureReasons.GrpcUnavailable), classifier.Classify(GrpcPost(), Grpc("14")));

        // ABORTED may be retried only where the call is idempotent; UNAVAILABLE (not processed) for any gRPC call.
        Assert.Equal(new ResponseClassification(false, false, FailureReasons.GrpcFailure), classifier.Classify(GrpcPost(), Grpc("10")));
        Assert.True(Classifier(new ClassificationOptions { RetryableGrpcStatuses = "ABORTED" }, idempotent: true).Classify(GrpcPost(), Grpc("10")).IsRetryable);
    }

    [Fact]
    public void EmptyLists_MeanNone()
    {
        var classifier = Classifier(new ClassificationOptions { FailureStatuses = "", RetryableStatuses = "", FailureGrpcStatuses = "", RetryableGrpcStatuses = "" });

        Assert.Equal(ResponseClassification.Success, classifier.Classify(Get(), new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        Assert.Equal(ResponseClassification.Success, classifier.Classify(GrpcPost(), Grpc("14")));
    }

    [Fact]
    public void UnsetKeys_AreInherited()
    {
        var service = ResponseClasses.From(new ClassificationOptions { FailureStatuses = "404", RetryableStatuses = "409" }, ResponseClasses.Default, "s");
        var route = ResponseClasses.From(new ClassificationOptions { RetryableStatuses = "503" }, service, "r");

        Assert.True(route.FailureStatuses.Contains(404));
        Assert.False(route.FailureStatuses.Contains(500));
        Assert.True(route.RetryableStatuses.Contains(503));
        Assert.False(route.RetryableStatuses.Contains(409));
        Assert.True(route.FailureGrpc.Contains(GrpcStatusCode.Unavailable));
    }
}
