using System.Text.Json;
using Mesh.Admin;
using Mesh.Tap;

namespace Mesh.Core.Tests.Admin;

/// <summary>
/// <c>/tap</c> on the wire (the expected text was written by the hand-made writer the context replaced), and how a
/// reader such as the <c>mesh</c> CLI treats what it does not expect.
/// </summary>
public class MeshAdminJsonContextTests
{
    private static readonly TapEvent Retried = new(
        new DateTimeOffset(2026, 11, 29, 0, 23, 0, TimeSpan.Zero).AddTicks(7818209), "outbound", "payments", "GET", "payments", "/pay/\u00e9?", null, 124.3864999, "failure", null,
        [new TapAttempt("127.0.0.1:8084", "connect_error", null, 75.0071), new TapAttempt("127.0.0.1:8083", "status_503", 503, 7.9405)],
        ["connect_error", "status_503"], "max_retries", "0af7651916cd43dd8448eb211c80319c", Route: "/pkg.Payments/Pay");

    [Fact]
    public void TapEvent_WritesTheTapWireFormat_NamesNullsAndRoundings()
    {
        Assert.Equal(
            """{"time":"2026-11-29T00:23:00.7818209+00:00","direction":"outbound","service":"payments","method":"GET","authority":"payments","path":"/pay/\u00E9?","status":null,"duration_ms":124.386,"classification":"failure","endpoint":null,"attempts":[{"endpoint":"127.0.0.1:8084","outcome":"connect_error","status":null,"duration_ms":75.007},{"endpoint":"127.0.0.1:8083","outcome":"status_503","status":503,"duration_ms":7.94}],"retries":["connect_error","status_503"],"retry_skipped":"max_retries","trace_id":"0af7651916cd43dd8448eb211c80319c","grpc_status":null,"tcp":null,"route":"/pkg.Payments/Pay","backend":null,"request_bytes":null,"response_bytes":null}""",
            JsonSerializer.Serialize(Retried, MeshAdminJsonContext.Default.TapEvent));
        Assert.Equal(
            """{"time":"2026-11-29T01:00:00+00:00","direction":"inbound","service":"local","method":"POST","authority":"local:80","path":"/","status":200,"duration_ms":1,"classification":"success","endpoint":"127.0.0.1:8080","attempts":[],"retries":[],"retry_skipped":null,"trace_id":null,"grpc_status":null,"tcp":null,"route":null,"backend":null,"request_bytes":12,"response_bytes":3}""",
            JsonSerializer.Serialize(
                new TapEvent(new DateTimeOffset(2026, 11, 29, 1, 0, 0, TimeSpan.Zero), "inbound", "local", "POST", "local:80", "/", 200, 1, "success", "127.0.0.1:8080", [], [], null, null) { RequestBytes = 12, ResponseBytes = 3 },
                MeshAdminJsonContext.Default.TapEvent));
    }

    [Fact]
    public void TapEvent_OfAnInboundMutualTlsCaller_NamesItsIdentity_OtherEventsAreUnchanged()
    {
        var inbound = new TapEvent(new DateTimeOffset(2026, 11, 29, 1, 0, 0, TimeSpan.Zero), "inbound", "local", "GET", "local:80", "/", 200, 1, "success", "127.0.0.1:8080", [], [], null, null, Tls: true, ClientId: "spiffe://example.org/ns/shop/sa/web");

        Assert.Equal(
            """{"time":"2026-11-29T01:00:00+00:00","direction":"inbound","service":"local","method":"GET","authority":"local:80","path":"/","status":200,"duration_ms":1,"classification":"success","endpoint":"127.0.0.1:8080","attempts":[],"retries":[],"retry_skipped":null,"trace_id":null,"grpc_status":null,"tcp":null,"tls":true,"client_id":"spiffe://example.org/ns/shop/sa/web","route":null,"backend":null,"request_bytes":null,"response_bytes":null}""",
            JsonSerializer.Serialize(inbound, MeshAdminJsonContext.Default.TapEvent));
        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(inbound, MeshAdminJsonContext.Default.TapEvent), MeshAdminJsonContext.Default.TapEvent)!;
        Assert.Equal((true, "spiffe://example.org/ns/shop/sa/web"), (read.Tls, read.ClientId));
    }

    [Fact]
    public void TapEvent_KeepsItsPrecisionInMemory_OnlyTheWireIsRounded()
    {
        // The tap's min_ms filter compares the unrounded duration.
        Assert.Equal(124.3864999, Retried.DurationMs);
        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(Retried, MeshAdminJsonContext.Default.TapEvent), MeshAdminJsonContext.Default.TapEvent)!;
        Assert.Equal(124.386, read.DurationMs);
        Assert.Equal(Retried.Time, read.Time);
        Assert.Equal(["connect_error", "status_503"], read.Retries);
        Assert.Equal(new TapAttempt("127.0.0.1:8083", "status_503", 503, 7.94), read.Attempts[1]);
    }

    [Fact]
    public void Read_SkipsFieldsItDoesNotKnow_SoANewerServerDoesNotBreakAnOlderReader()
    {
        var stats = JsonSerializer.Deserialize(
            """{"window_seconds":10,"generation":7,"services":[{"service":"orders","direction":"outbound","zone":{"name":"a"},"requests":{"count":1,"per_second":0.1,"success_rate":1,"latency_ms":{"p50":1,"p95":1,"p99":1,"p999":2}},"attempts":{"count":1,"per_second":0.1,"success_rate":1,"latency_ms":{"p50":1,"p95":1,"p99":1}},"retries_per_second":0,"retries_by_reason":{},"budget_remaining":10,"endpoints":[]}]}""",
            MeshAdminJsonContext.Default.StatsDocument)!;
        var tap = JsonSerializer.Deserialize(
            """{"time":"2026-11-29T01:00:00+00:00","direction":"inbound","service":"local","method":"POST","authority":"local:80","path":"/","status":200,"duration_ms":1,"classification":"success","endpoint":null,"attempts":[],"retries":[],"retry_skipped":null,"trace_id":null,"route":"/orders/{id}"}""",
            MeshAdminJsonContext.Default.TapEvent)!;

        Assert.Equal("orders", Assert.Single(stats.Services).Service);
        Assert.Equal("local", tap.Service);
    }

    [Theory]
    [InlineData("""{"window_seconds":10}""", "services")]
    [InlineData("""{"window_seconds":10,"services":null}""", "Services")]
    [InlineData("""{"window_seconds":10,"services":[{"service":"orders","direction":"outbound"}]}""", "requests")]
    public void Read_RefusesADocumentMissingWhatItNeeds_NamingTheField(string json, string field)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, MeshAdminJsonContext.Default.StatsDocument));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }
}
