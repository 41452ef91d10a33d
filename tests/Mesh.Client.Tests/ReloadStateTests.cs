using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.RateLimiting;

namespace Mesh.Client.Tests;

/// <summary>
/// A reload replaces what is configured (the policy) and keeps what the service has learned: requests in flight, the
/// retry budget's balance, the balancer's state, the latencies hedging reads. Before, a reload built the service anew,
/// so each of these started again from nothing.
/// </summary>
public class ReloadStateTests
{
    private const string Service = "Mesh:Services:orders:";

    [Fact]
    public async Task Reload_KeepsTheRequestsInFlight_SoTheConcurrencyLimitHoldsExactly()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            Interlocked.Increment(ref arrived);
            await release.Task;
            await context.Response.WriteAsync("ok");
        });
        var settings = MeshClientHost.EndpointConfig("orders", [backend], new Dictionary<string, string?> { [Service + "MaxConcurrentRequests"] = "5" });
        await using var host = await MeshClientHost.StartAsync(settings);
        var client = host.CreateClient();

        var held = Enumerable.Range(0, 5).Select(_ => client.GetAsync("/work")).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref arrived) == 5), "the limit's worth of requests is at the backend");

        host.Configuration.Replace(WithDecay(settings, "00:00:11"));

        // The five are still in flight under the new policy: one more is one too many.
        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => client.GetAsync("/work"));
        Assert.Equal(5, Volatile.Read(ref arrived));

        release.SetResult();
        Assert.All(await Task.WhenAll(held), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/work")).StatusCode);
        Assert.Equal(6, backend.Requests);
    }

    [Fact]
    public async Task Reload_KeepsTheRetryBudgetsBalance()
    {
        // Ratio 0.1 and no reserve: 100 requests earn 10 retries, and each later request 0.1 more. No time passes (fake
        // clock), and Retry-After, capped at zero, makes every retry immediate.
        var failing = false;
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            if (Volatile.Read(ref failing))
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
            }

            await context.Response.WriteAsync("ok");
        });
        var settings = MeshClientHost.EndpointConfig("orders", [backend], new Dictionary<string, string?>
        {
            [Service + "Retry:BudgetRatio"] = "0.1",
            [Service + "Retry:BudgetMinPerSecond"] = "0",
            [Service + "Retry:MaxRetries"] = "1",
            [Service + "Retry:MaxRetryAfter"] = "00:00:00",
        });
        var time = new FakeTimeProvider();
        await using var host = await MeshClientHost.StartAsync(settings, s => s.AddSingleton<TimeProvider>(time));
        var client = host.CreateClient();
        for (var i = 0; i < 100; i++)
        {
            (await client.GetAsync("/work")).Dispose();
        }

        host.Configuration.Replace(WithDecay(settings, "00:00:11"));
        Volatile.Write(ref failing, true);
        backend.ResetCount();
        for (var i = 0; i < 20; i++)
        {
            (await client.GetAsync("/work")).Dispose();
        }

        // The k-th failing request retries when 0.1 × (100 + k) − (retries so far) ≥ 1 (README's budget formula):
        // k = 1 … 11 and 20, twelve retries. A budget made afresh by the reload would have had at most 0.1 × 20 to give.
        var expected = 0;
        for (var k = 1; k <= 20; k++)
        {
            if ((0.1 * (100 + k)) - expected >= 1 - 1e-9)
            {
                expected++;
            }
        }

        Assert.Equal(12, expected);
        Assert.Equal(20 + expected, backend.Requests);
    }

    [Fact]
    public async Task Reload_KeepsTheBalancersTurn()
    {
        var seen = new List<string>();
        var backends = new TestBackend[3];
        for (var i = 0; i < backends.Length; i++)
        {
            var name = ((char)('a' + i)).ToString();
            backends[i] = await TestBackend.StartAsync(context =>
            {
                lock (seen)
                {
                    seen.Add(name);
                }

                return context.Response.WriteAsync(name);
            });
        }

        try
        {
            var settings = MeshClientHost.EndpointConfig("orders", backends, new Dictionary<string, string?> { [Service + "LoadBalancer"] = "RoundRobin" });
            await using var host = await MeshClientHost.StartAsync(settings);
            var client = host.CreateClient();
            for (var i = 0; i < 4; i++)
            {
                (await client.GetAsync("/work")).Dispose();
            }

            host.Configuration.Replace(WithDecay(settings, "00:00:11"));
            (await client.GetAsync("/work")).Dispose();

            // a, b, c, a, then b: the turn goes on where it was (a new balancer would start again at a).
            Assert.Equal(["a", "b", "c", "a", "b"], seen);
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Reload_KeepsTheLatenciesHedgingReads()
    {
        await using var backend = await TestBackend.StartAsync();
        var settings = MeshClientHost.EndpointConfig("orders", [backend], new Dictionary<string, string?> { [Service + "Hedging:Enabled"] = "true" });
        await using var host = await MeshClientHost.StartAsync(settings);
        var client = host.CreateClient();
        for (var i = 0; i < 40; i++)
        {
            (await client.GetAsync("/work")).Dispose();
        }

        var registry = host.Services.GetRequiredService<MeshServiceRegistry>();
        var before = registry.Get("orders").Routes.Default.RecentLatencies!.Percentile(0.95, TimeSpan.FromMinutes(1), minSamples: 20);
        Assert.NotNull(before);

        host.Configuration.Replace(WithDecay(settings, "00:00:11"));

        // The service as requests find it after the reload: the new policy, the latencies learned before it.
        var after = registry.Get("orders");
        Assert.Equal(TimeSpan.FromSeconds(11), after.Policy.Options.PeakEwma.DecayTime);
        Assert.Equal(before, after.Routes.Default.RecentLatencies?.Percentile(0.95, TimeSpan.FromMinutes(1), minSamples: 20));
    }

    [Fact]
    public async Task ReloadsEvery50Requests_During5000Requests_FailNothing_AndTheFastEndpointKeepsItsShare()
    {
        await using var fast = await TestBackend.StartAsync();
        await using var slow = await TestBackend.StartAsync(delay: TimeSpan.FromMilliseconds(20));
        var settings = MeshClientHost.EndpointConfig("orders", [fast, slow], new Dictionary<string, string?> { [Service + "MaxConcurrentRequests"] = "8" });
        await using var host = await MeshClientHost.StartAsync(settings);
        var client = host.CreateClient();

        // A reload every 50th request, while the other seven requests are in flight: counted, not timed, so the run
        // reloads 100 times however fast the machine is.
        var reloads = 0;
        var result = await Load.SendAsync(5000, concurrency: 8, i =>
        {
            if (i % 50 == 49)
            {
                var n = Interlocked.Increment(ref reloads);
                host.Configuration.Replace(WithDecay(settings, n % 2 == 0 ? "00:00:11" : "00:00:10"));
            }

            return client.GetAsync("/work");
        });

        Assert.Equal(100, reloads);
        Assert.Empty(result.Exceptions);
        Assert.Equal(5000, result.Succeeded);
        Assert.Equal(5000, fast.Requests + slow.Requests);

        // The peak-EWMA estimates live on the endpoints, so reloads do not send the slow one a fresh share.
        Assert.True(fast.Requests > 4 * slow.Requests, $"fast {fast.Requests}, slow {slow.Requests}");
    }

    private static Dictionary<string, string?> WithDecay(Dictionary<string, string?> settings, string decay) =>
        new(settings) { [Service + "PeakEwma:DecayTime"] = decay };

}
