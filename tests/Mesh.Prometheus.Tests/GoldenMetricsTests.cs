using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Mesh.Prometheus.Tests.Infrastructure;
using Mesh.ProxyHost.Testing.Identity;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Mesh.Prometheus.Tests;

/// <summary>
/// Debian's Prometheus scrapes a real sidecar and evaluates deploy/prometheus/mesh-rules.yml while the test drives
/// known traffic through it to real Kestrel backends; what Prometheus then answers must agree with what the test sent
/// and what the backends counted: exactly for the counters, within rate()'s stated bounds for the recorded series.
/// </summary>
/// <remarks>
/// Three services, each answering one question exactly:
/// <list type="bullet">
/// <item>billing: one endpoint, no retries, no ejection. The test tells each request (seeded) what to answer: 10% 503,
/// 5% 200 after 300 ms, the rest 200 at once. So its callers' success share and its p99 are known before sending.</item>
/// <item>orders: two endpoints taken in turn, one of them failing a seeded half of its requests with 503. A failed GET is
/// retried on the other endpoint, which always answers, or refused by the budget and sent back to the caller. The
/// failing endpoint is ejected once (below 80% success; its 10-minute penalty outlasts the test).</item>
/// <item>payments: one endpoint, always 503; one retry per request under a 50% budget with no reserve, so about every
/// other retry is refused: steady retries and refusals to measure rates on.</item>
/// </list>
/// Nothing depends on the machine's speed: every step waits for Prometheus to have the counts the test expects.
/// </remarks>
[Collection(SidecarCollection.Name)]
public class GoldenMetricsTests(ITestOutputHelper output)
{
    private const int Seed = 17;
    private const int Concurrency = 8;
    private const int BillingRequests = 400;
    private const int OrdersRequests = 300;
    private const int PaymentsRequests = 200;
    private static readonly TimeSpan SlowDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromMilliseconds(500);

    // The rules' rate window, and the samples of each series it must hold before the recorded values are read: the
    // bounds of CounterIncrease widen as 1.1 / (samples − 1), here below 8%.
    private static readonly TimeSpan RuleWindow = TimeSpan.FromMinutes(1);
    private const int MinSamples = 16;

    private const string MeshServices = """
        {
          "orders": {
            "LoadBalancer": "RoundRobin",
            "FailureAccrual": { "SuccessRateWindow": "00:05:00", "BaseEjectionTime": "00:10:00", "MaxEjectionTime": "00:10:00" }
          },
          "billing": { "Retry": { "MaxRetries": 0 }, "FailureAccrual": { "Enabled": false } },
          "payments": { "Retry": { "MaxRetries": 1, "BudgetRatio": 0.5, "BudgetMinPerSecond": 0 }, "FailureAccrual": { "Enabled": false } }
        }
        """;

    private enum Answer
    {
        Ok,
        Fail,
        Slow,
    }

    [Fact]
    public async Task GoldenMetrics_InPrometheus_AgreeWithWhatTheBackendsCounted()
    {
        var flaky = new SeededFailures(Seed, share: 0.5);
        await using var ordersHealthy = await TestBackend.StartAsync();
        await using var ordersFlaky = await TestBackend.StartAsync(async c =>
        {
            c.Response.StatusCode = flaky.Next() ? 503 : 200;
            await c.Response.WriteAsync("orders");
        });
        await using var billing = await TestBackend.StartAsync(BillingAsync);
        await using var payments = await TestBackend.StartAsync(status: 503);

        // The sidecar has a workload identity (an hour's certificate), so the identity rules have series to record.
        using var trustDomain = TrustDomain.Create();
        var identity = trustDomain.Write("mesh", trustDomain.Issue("/ns/shop/sa/mesh"));
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            new Dictionary<string, string[]>
            {
                ["orders"] = [ordersHealthy.Url, ordersFlaky.Url],
                ["billing"] = [billing.Url],
                ["payments"] = [payments.Url],
            },
            MeshServices), identity.Args);
        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{sidecar.AdminPort}", ScrapeInterval, DeployFiles.Rules);
        Assert.Equal(1, await Poll.UntilAsync(() => prometheus.ValueAsync("up{job=\"mesh\"}"), static v => v == 1));

        using var traffic = new Traffic(sidecar);
        var backends = new Backends(ordersHealthy, ordersFlaky, billing, payments);

        // 1. Warm-up: one request of each answer per service, and payments until its budget has both granted and refused
        //    a retry. Every series the rates are read from then exists, at a small known value, before the traffic.
        await traffic.BillingAsync([Answer.Ok, Answer.Fail]);
        await traffic.OrdersAsync(2);
        for (var i = 0; i < 20 && !(backends.PaymentsRetries(traffic) > 0 && backends.PaymentsRefused(traffic) > 0); i++)
        {
            await traffic.PaymentsAsync(1);
        }

        var warm = await WaitForCountersAsync(prometheus, backends.ExpectedCounters(traffic, ejected: false));

        // 2. The traffic, as fast as the machine goes.
        var random = new Random(Seed);
        var plan = Enumerable.Range(0, BillingRequests).Select(_ => random.NextDouble() switch
        {
            < 0.10 => Answer.Fail,
            < 0.15 => Answer.Slow,
            _ => Answer.Ok,
        }).ToArray();
        await Task.WhenAll(traffic.BillingAsync(plan), traffic.OrdersAsync(OrdersRequests), traffic.PaymentsAsync(PaymentsRequests));

        // 3. The counters, exactly. What the backends counted explains every retry and refusal: each failure of the
        //    flaky orders endpoint was retried (on the healthy one) or refused, and only a refusal fails an orders caller.
        Assert.Equal(flaky.Failures, backends.OrdersRetries(traffic) + traffic.OrdersFailures);
        //    The flaky endpoint, failing half of its requests, falls below 80% success once it has had 10 in the window
        //    (or fails 5 in a row): it is ejected, exactly once, since its penalty outlasts the test.
        var final = await WaitForCountersAsync(prometheus, backends.ExpectedCounters(traffic, ejected: true));

        // 4. The recorded series, read at one evaluation of the rules that saw the final counts.
        var evaluation = await WaitForEvaluationAsync(prometheus, traffic);
        var slack = CounterIncrease.Slack(evaluation.Samples - 1);   // the rule may have seen one sample fewer than counted here
        output.WriteLine($"evaluation at {evaluation.Time:R} with {evaluation.Samples} samples in the window: slack {slack:P1}; counters {string.Join(", ", final.Select(static c => $"{c.Key}={c.Value}"))}");
        await AssertRatesAsync(prometheus, evaluation.Time, slack, warm, final);
        await AssertLatencyAsync(prometheus, evaluation.Time, traffic, plan);
        Assert.Equal(1, await prometheus.ValueAsync("mesh_service:mesh_endpoints:sum{mesh_service=\"orders\",mesh_endpoint_state=\"ejected\"}", evaluation.Time));
        Assert.Equal(1, await prometheus.ValueAsync("mesh_service:mesh_endpoints:sum{mesh_service=\"orders\",mesh_endpoint_state=\"ready\"}", evaluation.Time));

        // A renewal written half-way is refused (the hour's certificate stays): the refused-renewal rule's series.
        var pem = await File.ReadAllTextAsync(identity.Certificate);
        await File.WriteAllTextAsync(identity.Certificate, pem[..(pem.Length / 2)]);
        var expiry = await Poll.UntilAsync(() => prometheus.ValueAsync("instance:mesh_identity_expiry_seconds:min"), static v => v > 0);
        Assert.InRange(expiry ?? 0, 1, 3600);

        // Every recording rule finds the real series it is written for (a misspelt metric or label matcher gives nothing).
        foreach (var record in RulesFile.RecordedSeries(DeployFiles.Rules))
        {
            Assert.True(await Poll.UntilAsync(() => prometheus.ValueAsync($"count({record})"), static v => v > 0) > 0, $"{record} recorded nothing from the sidecar's series");
        }

        // 5. The alerts that this traffic must set off are pending (their `for` has not passed yet).
        string[] expected = ["MeshEndpointsEjected/orders", "MeshRetryBudgetExhausted/payments", "MeshSuccessRateLow/billing", "MeshSuccessRateLow/payments"];
        var alerts = await Poll.UntilAsync(() => AlertsAsync(prometheus), a => expected.All(a.Contains));
        Assert.Superset(expected.ToHashSet(), alerts.ToHashSet());
    }

    private static async Task BillingAsync(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey("x-test-slow"))
        {
            await Task.Delay(SlowDelay, context.RequestAborted);
        }

        context.Response.StatusCode = context.Request.Headers.ContainsKey("x-test-fail") ? 503 : 200;
        await context.Response.WriteAsync("billing");
    }

    // Counters read raw (no rate): requests by service and classification, attempts by endpoint, retries, refused
    // retries, ejections, the ejected-endpoints gauge. Waits until they are what the test and the backends expect.
    private static async Task<SortedDictionary<string, double>> WaitForCountersAsync(PrometheusServer prometheus, SortedDictionary<string, double> expected)
    {
        var actual = await Poll.UntilAsync(() => CountersAsync(prometheus), a => a.SequenceEqual(expected));
        Assert.Equal(expected, actual);
        return actual;
    }

    private static async Task<SortedDictionary<string, double>> CountersAsync(PrometheusServer prometheus)
    {
        var counters = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in await prometheus.QueryAsync("sum by (mesh_service, mesh_classification) (mesh_requests_total)"))
        {
            counters[$"requests/{s.Labels["mesh_service"]}/{s.Labels["mesh_classification"]}"] = s.Value;
        }

        foreach (var s in await prometheus.QueryAsync("sum by (mesh_service, mesh_endpoint) (mesh_attempts_total)"))
        {
            counters[$"attempts/{s.Labels["mesh_service"]}/{s.Labels["mesh_endpoint"]}"] = s.Value;
        }

        foreach (var (name, metric) in new[] { ("retries", "mesh_retries_total"), ("refused", "mesh_retry_budget_exhausted_total") })
        {
            foreach (var s in await prometheus.QueryAsync($"sum by (mesh_service) ({metric})"))
            {
                counters[$"{name}/{s.Labels["mesh_service"]}"] = s.Value;
            }
        }

        foreach (var s in await prometheus.QueryAsync("sum by (mesh_service, mesh_endpoint) (mesh_endpoint_ejections_total)"))
        {
            counters[$"ejections/{s.Labels["mesh_service"]}/{s.Labels["mesh_endpoint"]}"] = s.Value;
        }

        foreach (var s in await prometheus.QueryAsync("sum by (mesh_service) (mesh_endpoints{mesh_endpoint_state=\"ejected\"}) > 0"))
        {
            counters[$"ejected/{s.Labels["mesh_service"]}"] = s.Value;
        }

        return counters;
    }

    // The latest evaluation of the rules whose window holds the whole run, ends after the final counts, and holds at
    // least MinSamples samples of every series the rates are read from.
    private static async Task<(double Time, int Samples)> WaitForEvaluationAsync(PrometheusServer prometheus, Traffic traffic)
    {
        const string Series = "{__name__=~\"mesh_requests_total|mesh_attempts_total|mesh_retries_total|mesh_retry_budget_exhausted_total\",mesh_service=~\"billing|payments\"}";
        var evaluation = await Poll.UntilAsync(
            async () =>
            {
                var time = await prometheus.ValueAsync("timestamp(mesh_service:mesh_requests:rate1m{mesh_service=\"billing\"})") ?? 0;
                var samples = (int)(await prometheus.ValueAsync($"min(count_over_time({Series}[1m]))", time) ?? 0);

                // Final a second before the evaluation: long before it, for a scrape that takes at most 500 ms to store.
                var final = await prometheus.ValueAsync("sum(mesh_requests_total{mesh_service=\"billing\"})", time - 1) == traffic.BillingSent
                    && await prometheus.ValueAsync("sum(mesh_requests_total{mesh_service=\"payments\"})", time - 1) == traffic.PaymentsSent;

                // Every scrape in the 2 s before it succeeded: a scrape that outlasts its 500 ms timeout (a loaded
                // machine) marks every series stale, and while it is the latest, rate() still answers but an instant
                // read (the buckets below, the endpoints gauge the rules sum) finds nothing.
                var scraped = await prometheus.ValueAsync("min_over_time(up{job=\"mesh\"}[2s])", time) == 1;
                return (Time: time, Samples: samples, Final: final && scraped);
            },
            static e => e.Final && e.Samples >= MinSamples);
        Assert.True(evaluation.Final && evaluation.Samples >= MinSamples, $"no evaluation of the rules saw the final counts with {MinSamples} samples in its window: {evaluation}");

        // The run must fit in the window, or rate() would start from a sample taken during it (bounds no longer hold).
        Assert.True(
            await prometheus.ValueAsync($"count({Series})", evaluation.Time - RuleWindow.TotalSeconds) is null,
            $"the run (warm-up to the evaluation at {evaluation.Time}) outlasted the rules' {RuleWindow.TotalSeconds} s window");
        return (evaluation.Time, evaluation.Samples);
    }

    private async Task AssertRatesAsync(PrometheusServer prometheus, double time, double slack, IReadOnlyDictionary<string, double> warm, IReadOnlyDictionary<string, double> final)
    {
        // Each counter series is bounded by its final value and, for what rate() misses, its value after the warm-up.
        CounterIncrease Of(string key) => CounterIncrease.Of(final[key], warm[key], slack);
        var billingOk = Of("requests/billing/success");
        var billingFailed = Of("requests/billing/failure");
        var paymentsAttempts = Of(final.Keys.Single(static k => k.StartsWith("attempts/payments/", StringComparison.Ordinal)));

        InRange(await prometheus.ValueAsync("mesh_service:mesh_requests:rate1m{mesh_service=\"billing\"}", time), (billingOk + billingFailed).PerSecond(RuleWindow), "billing's request rate");
        InRange(await prometheus.ValueAsync("mesh_service:mesh_requests_success:ratio_rate1m{mesh_service=\"billing\"}", time), CounterIncrease.Share(billingOk, billingFailed), "billing's success rate");
        // billing has no retries: one attempt per request, with the request's outcome, in series scraped alike.
        InRange(await prometheus.ValueAsync("mesh_service:mesh_attempts:rate1m{mesh_service=\"billing\"}", time), (billingOk + billingFailed).PerSecond(RuleWindow), "billing's attempt rate");
        InRange(await prometheus.ValueAsync("mesh_service:mesh_attempts_success:ratio_rate1m{mesh_service=\"billing\"}", time), CounterIncrease.Share(billingOk, billingFailed), "billing's attempt success rate");
        InRange(await prometheus.ValueAsync("mesh_service:mesh_retries:rate1m{mesh_service=\"payments\"}", time), Of("retries/payments").PerSecond(RuleWindow), "payments' retry rate");
        InRange(await prometheus.ValueAsync("mesh_service:mesh_retry_budget_exhausted:rate1m{mesh_service=\"payments\"}", time), Of("refused/payments").PerSecond(RuleWindow), "payments' refused-retry rate");
        InRange(await prometheus.ValueAsync("mesh_service:mesh_retries_per_attempt:ratio_rate1m{mesh_service=\"payments\"}", time), CounterIncrease.Ratio(Of("retries/payments"), paymentsAttempts), "payments' retries per attempt");

        // Nothing to payments succeeds: 0, exactly, not an absent series.
        Assert.Equal(0, await prometheus.ValueAsync("mesh_service:mesh_requests_success:ratio_rate1m{mesh_service=\"payments\"}", time));
        Assert.Equal(0, await prometheus.ValueAsync("mesh_service:mesh_attempts_success:ratio_rate1m{mesh_service=\"payments\"}", time));
    }

    private async Task AssertLatencyAsync(PrometheusServer prometheus, double time, Traffic traffic, Answer[] plan)
    {
        // More than 1% of billing's requests waited 300 ms at the backend, so its true p99 is at least 300 ms: the
        // quantile lands above the bucket bound below 300 ms. And no request took the sidecar longer than it took the
        // caller (whose clock spans the sidecar's), so the quantile is at most the bucket bound above the caller's
        // slowest request. Both hold however fast the machine is.
        var slow = plan.Count(static a => a == Answer.Slow);
        Assert.True(slow > traffic.BillingSent / 50, $"the seeded plan has {slow} slow requests of {traffic.BillingSent}: too few for the p99 to be one");
        var bounds = (await prometheus.QueryAsync("count by (le) (mesh_request_duration_seconds_bucket{mesh_service=\"billing\"})", time))
            .Select(static s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture)).Order().ToList();
        var below = bounds.Last(b => b < SlowDelay.TotalSeconds);
        var above = bounds.First(b => b >= traffic.BillingSlowest.TotalSeconds);

        // From the raw cumulative buckets, exact.
        var raw = await prometheus.ValueAsync("histogram_quantile(0.99, sum by (le) (mesh_request_duration_seconds_bucket{mesh_service=\"billing\"}))", time);
        InRange(raw, (below, above), "billing's p99 from the raw buckets");

        // The recorded p99, from the buckets' rates. The upper bound holds as above (every bucket at or over the caller's
        // slowest request equals +Inf in each series). The lower one because the buckets of a series are scraped at the
        // same instants, so rate() scales them alike: the slow 5% stay above the 99th percentile's rank.
        var p50 = await prometheus.ValueAsync("mesh_service:mesh_request_duration_seconds:p50_rate1m{mesh_service=\"billing\"}", time);
        var p95 = await prometheus.ValueAsync("mesh_service:mesh_request_duration_seconds:p95_rate1m{mesh_service=\"billing\"}", time);
        var p99 = await prometheus.ValueAsync("mesh_service:mesh_request_duration_seconds:p99_rate1m{mesh_service=\"billing\"}", time);
        InRange(p99, (below, above), "billing's recorded p99");
        Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99, $"billing's recorded quantiles out of order: p50 {p50}, p95 {p95}, p99 {p99}");
    }

    private void InRange(double? actual, (double Low, double High) bounds, string what)
    {
        output.WriteLine($"{what}: {actual:R} in [{bounds.Low:R}, {bounds.High:R}]");
        Assert.True(actual is { } v && v >= bounds.Low && v <= bounds.High, $"{what}: {actual?.ToString("R", CultureInfo.InvariantCulture) ?? "no series"}, expected in [{bounds.Low:R}, {bounds.High:R}]");
    }

    private static async Task<List<string>> AlertsAsync(PrometheusServer prometheus) =>
        [.. (await prometheus.QueryAsync("ALERTS")).Select(static s => $"{s.Labels["alertname"]}/{s.Labels.GetValueOrDefault("mesh_service")}").Distinct().Order(StringComparer.Ordinal)];

    private static string Authority(TestBackend backend) => new Uri(backend.Url).Authority;

    /// <summary>The backends, and what their counts say Prometheus must show.</summary>
    private sealed record Backends(TestBackend OrdersHealthy, TestBackend OrdersFlaky, TestBackend Billing, TestBackend Payments)
    {
        public int OrdersRetries(Traffic traffic) => OrdersHealthy.Requests + OrdersFlaky.Requests - traffic.OrdersSent;

        // payments fails every attempt and has one retry: two attempts for a retried request, one for a refused one.
        public int PaymentsRetries(Traffic traffic) => Payments.Requests - traffic.PaymentsSent;

        public int PaymentsRefused(Traffic traffic) => (2 * traffic.PaymentsSent) - Payments.Requests;

        public SortedDictionary<string, double> ExpectedCounters(Traffic traffic, bool ejected)
        {
            var expected = new SortedDictionary<string, double>(StringComparer.Ordinal)
            {
                ["requests/billing/success"] = traffic.BillingSent - traffic.BillingFailed,
                ["requests/billing/failure"] = traffic.BillingFailed,
                ["requests/orders/success"] = traffic.OrdersSent - traffic.OrdersFailures,
                ["requests/orders/failure"] = traffic.OrdersFailures,
                ["requests/payments/failure"] = traffic.PaymentsSent,
                [$"attempts/billing/{Authority(Billing)}"] = Billing.Requests,
                [$"attempts/orders/{Authority(OrdersHealthy)}"] = OrdersHealthy.Requests,
                [$"attempts/orders/{Authority(OrdersFlaky)}"] = OrdersFlaky.Requests,
                [$"attempts/payments/{Authority(Payments)}"] = Payments.Requests,
                ["retries/orders"] = OrdersRetries(traffic),
                ["retries/payments"] = PaymentsRetries(traffic),
                ["refused/orders"] = traffic.OrdersFailures,
                ["refused/payments"] = PaymentsRefused(traffic),
                [$"ejections/orders/{Authority(OrdersFlaky)}"] = ejected ? 1 : 0,
                ["ejected/orders"] = ejected ? 1 : 0,
            };

            // A counter series exists from its first increment on (and the gauge is read where it is above 0).
            foreach (var key in expected.Where(static e => e.Value == 0).Select(static e => e.Key).ToList())
            {
                expected.Remove(key);
            }

            return expected;
        }
    }

    /// <summary>The callers: what they sent and saw, per service, and how long billing's callers waited.</summary>
    private sealed class Traffic(Sidecar sidecar) : IDisposable
    {
        private readonly HttpClient _billing = sidecar.OutboundClient("billing");
        private readonly HttpClient _orders = sidecar.OutboundClient("orders");
        private readonly HttpClient _payments = sidecar.OutboundClient("payments");
        private readonly ConcurrentBag<TimeSpan> _billingTimes = [];
        private int _billingSent;
        private int _billingFailed;
        private int _ordersSent;
        private int _ordersFailures;
        private int _paymentsSent;

        public int BillingSent => Volatile.Read(ref _billingSent);

        public int BillingFailed => Volatile.Read(ref _billingFailed);

        public int OrdersSent => Volatile.Read(ref _ordersSent);

        /// <summary>Gets the orders requests whose caller got a failure (a retry the budget refused).</summary>
        public int OrdersFailures => Volatile.Read(ref _ordersFailures);

        public int PaymentsSent => Volatile.Read(ref _paymentsSent);

        public TimeSpan BillingSlowest => _billingTimes.Max();

        public async Task BillingAsync(Answer[] plan)
        {
            var result = await Load.SendAsync(plan.Length, Concurrency, async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/charge");
                if (plan[i] != Answer.Ok)
                {
                    request.Headers.Add(plan[i] == Answer.Fail ? "x-test-fail" : "x-test-slow", "1");
                }

                // The caller's own clock, for an upper bound on the sidecar's latency (never asserted on by itself).
                var start = Stopwatch.GetTimestamp();
                var response = await _billing.SendAsync(request);
                _billingTimes.Add(Stopwatch.GetElapsedTime(start));
                return response;
            });
            Tally(result, ref _billingSent);
            Assert.Equal(plan.Count(static a => a == Answer.Fail), result.FailedResponses);
            Interlocked.Add(ref _billingFailed, result.FailedResponses);
        }

        public async Task OrdersAsync(int requests)
        {
            var result = await Load.SendAsync(requests, Concurrency, _ => _orders.GetAsync("/order"));
            Tally(result, ref _ordersSent);
            Interlocked.Add(ref _ordersFailures, result.FailedResponses);
        }

        public async Task PaymentsAsync(int requests)
        {
            var result = await Load.SendAsync(requests, Concurrency, _ => _payments.GetAsync("/pay"));
            Tally(result, ref _paymentsSent);
            Assert.Equal(0, result.Succeeded);
        }

        public void Dispose()
        {
            _billing.Dispose();
            _orders.Dispose();
            _payments.Dispose();
        }

        private static void Tally(Load.Result result, ref int sent)
        {
            Assert.Empty(result.Exceptions);
            Interlocked.Add(ref sent, result.Total);
        }
    }
}
