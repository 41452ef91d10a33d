using Mesh.Pipeline;
using Polly;
using Polly.RateLimiting;

namespace Mesh.Core.Tests.Pipeline;

public sealed class ConcurrencyLimitStrategyTests
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddStrategy(_ => new ConcurrencyLimitStrategy(limit: 2), new TestOptions())
        .Build();

    [Fact]
    public async Task OverTheLimit_IsShedAtOnce_AndPermitsComeBackWhenRequestsEnd()
    {
        var release = new TaskCompletionSource();
        var entered = 0;
        async ValueTask<HttpResponseMessage> Hold(CancellationToken _)
        {
            Interlocked.Increment(ref entered);
            await release.Task;
            return new HttpResponseMessage();
        }

        var held = new[] { _pipeline.ExecuteAsync(Hold).AsTask(), _pipeline.ExecuteAsync(Hold).AsTask() };

        // The third is refused without running, while the first two are still in flight.
        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => _pipeline.ExecuteAsync(Hold).AsTask());
        Assert.Equal(2, entered);

        release.SetResult();
        await Task.WhenAll(held);

        // Both permits are back: two more fit at once again.
        var gate = new TaskCompletionSource();
        async ValueTask<HttpResponseMessage> Wait(CancellationToken _)
        {
            await gate.Task;
            return new HttpResponseMessage();
        }

        var next = new[] { _pipeline.ExecuteAsync(Wait).AsTask(), _pipeline.ExecuteAsync(Wait).AsTask() };
        gate.SetResult();
        await Task.WhenAll(next);
    }

    [Fact]
    public async Task FailuresAndSynchronousCompletions_ReleaseTheirPermits()
    {
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => _pipeline.ExecuteAsync<HttpResponseMessage>(_ => throw new InvalidOperationException()).AsTask());
            using var response = await _pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage()));
        }

        var gate = new TaskCompletionSource();
        var both = new[]
        {
            _pipeline.ExecuteAsync(async _ => { await gate.Task; return new HttpResponseMessage(); }).AsTask(),
            _pipeline.ExecuteAsync(async _ => { await gate.Task; return new HttpResponseMessage(); }).AsTask(),
        };
        gate.SetResult();
        await Task.WhenAll(both);
    }

    private sealed class TestOptions : ResilienceStrategyOptions
    {
        public TestOptions() => Name = "Limit";
    }
}
