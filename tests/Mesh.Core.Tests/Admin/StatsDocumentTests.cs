using System.Text.Json;
using Mesh.Admin;
using Mesh.Stats;

namespace Mesh.Core.Tests.Admin;

/// <summary>
/// <c>/stats</c> on the wire. The expected text was written by the hand-made Utf8JsonWriter that served <c>/stats</c>
/// before the source-generated contract replaced it: README, docs/observability.md and the dashboard read these names,
/// nulls and roundings.
/// </summary>
public class StatsDocumentTests
{
    private static readonly IReadOnlyList<ServiceSnapshot> Services =
    [
        new ServiceSnapshot(
            "orders",
            "outbound",
            new TrafficSnapshot(9, 0.150000012, 0.7777777777, TimeSpan.FromTicks(47701), TimeSpan.FromMilliseconds(126.98765), TimeSpan.FromMilliseconds(126.9885)),
            new TrafficSnapshot(0, 0, null, null, null, null),
            new Dictionary<string, double> { ["status_503"] = 0.1, ["hedge"] = 0.05 },
            100.2049,
            [
                new EndpointSnapshot("127.0.0.1:8081", "ready", null, 0, TimeSpan.FromMilliseconds(30.4419999), new TrafficSnapshot(3, 0.1, 1, TimeSpan.FromMilliseconds(1.5), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(2))),
                new EndpointSnapshot("[::1]:8082", "ejected", "consecutive_failures", 2, TimeSpan.Zero, new TrafficSnapshot(6, 0.2, 0.33333333, TimeSpan.FromMilliseconds(0.0004), null, null)),
            ],
            [
                new RouteSnapshot("/pkg.Orders/Get", new TrafficSnapshot(3, 0.1, 1, TimeSpan.FromMilliseconds(1.5), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(2.00049)), 1.0 / 30),
                new RouteSnapshot("reports", new TrafficSnapshot(0, 0, null, null, null, null), 0),
            ]),
        new ServiceSnapshot("caf\u00e9+<b>\"x\"", "inbound", new TrafficSnapshot(1, 1.0 / 3, 0, null, null, null), new TrafficSnapshot(1, 1.0 / 3, 0, null, null, null), new Dictionary<string, double>(), 0, []),
    ];

    [Fact]
    public void Serialize_WritesTheStatsWireFormat_NamesNullsAndRoundings()
    {
        var json = JsonSerializer.Serialize(StatsDocument.From(TimeSpan.FromSeconds(30), Services), MeshAdminJsonContext.Default.StatsDocument);

        Assert.Equal(
            """{"window_seconds":30,"services":[{"service":"orders","direction":"outbound","requests":{"count":9,"per_second":0.15,"success_rate":0.77778,"latency_ms":{"p50":4.77,"p95":126.988,"p99":126.988}},"attempts":{"count":0,"per_second":0,"success_rate":null,"latency_ms":{"p50":null,"p95":null,"p99":null}},"retries_per_second":0.15000000000000002,"retries_by_reason":{"status_503":0.1,"hedge":0.05},"budget_remaining":100.2,"endpoints":[{"endpoint":"127.0.0.1:8081","state":"ready","reason":null,"in_flight":0,"latency_estimate_ms":30.442,"attempts":{"count":3,"per_second":0.1,"success_rate":1,"latency_ms":{"p50":1.5,"p95":2,"p99":2}}},{"endpoint":"[::1]:8082","state":"ejected","reason":"consecutive_failures","in_flight":2,"latency_estimate_ms":0,"attempts":{"count":6,"per_second":0.2,"success_rate":0.33333,"latency_ms":{"p50":0,"p95":null,"p99":null}}}],"routes":[{"route":"/pkg.Orders/Get","requests":{"count":3,"per_second":0.1,"success_rate":1,"latency_ms":{"p50":1.5,"p95":2,"p99":2}},"retries_per_second":0.033},{"route":"reports","requests":{"count":0,"per_second":0,"success_rate":null,"latency_ms":{"p50":null,"p95":null,"p99":null}},"retries_per_second":0}]},{"service":"caf\u00E9\u002B\u003Cb\u003E\u0022x\u0022","direction":"inbound","requests":{"count":1,"per_second":0.333,"success_rate":0,"latency_ms":{"p50":null,"p95":null,"p99":null}},"attempts":{"count":1,"per_second":0.333,"success_rate":0,"latency_ms":{"p50":null,"p95":null,"p99":null}},"retries_per_second":0,"retries_by_reason":{},"budget_remaining":0,"endpoints":[],"routes":[]}],"tcp":[]}""",
            json);
    }

    [Fact]
    public void Deserialize_ReadsBackWhatWasWritten()
    {
        var written = StatsDocument.From(TimeSpan.FromSeconds(30), Services);

        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(written, MeshAdminJsonContext.Default.StatsDocument), MeshAdminJsonContext.Default.StatsDocument)!;

        Assert.Equal(30, read.WindowSeconds);
        Assert.Equal(["orders", "caf\u00e9+<b>\"x\""], read.Services.Select(s => s.Service));
        var orders = read.Services[0];
        Assert.Equal(written.Services[0].Requests, orders.Requests);
        Assert.Equal(0.05, orders.RetriesByReason["hedge"]);
        Assert.Equal([null, "consecutive_failures"], orders.Endpoints.Select(e => e.Reason));
        Assert.Equal(written.Services[0].Endpoints[1], orders.Endpoints[1]);
        Assert.Equal(["/pkg.Orders/Get", "reports"], orders.Routes!.Select(r => r.Route));
        Assert.Equal(written.Services[0].Routes![0], orders.Routes![0]);
    }

    [Fact]
    public void Deserialize_TheStatsOfAMeshThatPredatesRoutes_HasNoRoutes()
    {
        var read = JsonSerializer.Deserialize("""{"window_seconds":10,"services":[{"service":"orders","direction":"outbound","requests":{"count":0,"per_second":0,"success_rate":null,"latency_ms":{"p50":null,"p95":null,"p99":null}},"attempts":{"count":0,"per_second":0,"success_rate":null,"latency_ms":{"p50":null,"p95":null,"p99":null}},"retries_per_second":0,"retries_by_reason":{},"budget_remaining":0,"endpoints":[]}]}""", MeshAdminJsonContext.Default.StatsDocument)!;

        Assert.Null(Assert.Single(read.Services).Routes);
    }
}
