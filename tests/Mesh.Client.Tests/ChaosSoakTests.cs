using System.Diagnostics.Metrics;
using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Polly;
using Polly.Simmy;

namespace Mesh.Client.Tests;

/// <summary>
/// A seeded chaos soak of the in-process pipeline: Polly's chaos strategies, under Mesh and above the network, turn a
/// seeded share of attempts into 503s and connection failures; Mesh must mask them within its retry budget, the same
/// way for the same seed.
/// </summary>
public class ChaosSoakTests
{
    private sealed record Counts(int Succeeded, int Attempts, long Retries);

    /// <summary>Injects faults per attempt from a seeded random sequence.</summary>
    private sealed class ChaosHandler(int seed) : DelegatingHandler
    {
        private readonly Random _random = new(seed);
        private ResiliencePipeline<HttpResponseMessage>? _chaos;

        private ResiliencePipeline<HttpResponseMessage> Chaos => _chaos ??= new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddChaosOutcome(new Polly.Simmy.Outcomes.ChaosOutcomeStrategyOptions<HttpResponseMessage>
            {
                InjectionRate = 0.05,
                Randomizer = Next,
                OutcomeGenerator = static _ => new ValueTask<Outcome<HttpResponseMessage>?>(Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable))),
            })
            .AddChaosFault(new Polly.Simmy.Fault.ChaosFaultStrategyOptions
            {
                InjectionRate = 0.02,
                Randomizer = Next,
                FaultGenerator = static _ => new ValueTask<Exception?>(new HttpRequestException(HttpRequestError.ConnectionError, "chaos: connection refused")),
            })
            .Build();

        private double Next()
        {
            lock (_random)
            {
                return _random.NextDouble();
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            await Chaos.ExecuteAsync(async (state, ct) => await state.Self.BaseSendAsync(state.Request, ct), (Self: this, Request: request), cancellationToken);

        private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
    }

    private static async Task<Counts> SoakAsync(int seed, int requests)
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        var config = MeshClientHost.EndpointConfig("orders", [a, b], new Dictionary<string, string?> { ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin" });
        await using var host = await MeshClientHost.StartAsync(config, services => services.AddHttpClient("orders").AddHttpMessageHandler(() => new ChaosHandler(seed)));
        using var retries = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.retries");
        using var attempts = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.attempts");

        var result = await Load.SendAsync(requests, concurrency: 1, _ => host.CreateClient().GetAsync("/work"));
        return new Counts(result.Succeeded, attempts.GetMeasurementSnapshot().Count, retries.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task SeededChaos_IsMasked_WithinTheBudget_AndRepeatsExactlyForTheSameSeed()
    {
        const int requests = 2000;
        var first = await SoakAsync(seed: 11, requests);
        var second = await SoakAsync(seed: 11, requests);

        Assert.True(first.Succeeded >= requests * 0.999, $"{first.Succeeded} of {requests} succeeded");
        Assert.True(first.Retries <= requests * 0.2, $"{first.Retries} retries for {requests} requests");
        Assert.True(first.Retries > 0);
        Assert.Equal(requests + first.Retries, first.Attempts);
        Assert.Equal(first, second);
    }
}
