using BenchmarkDotNet.Attributes;
using Mesh.Benchmarks.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Mesh.Benchmarks;

/// <summary>
/// Per-request cost of the client-side stack, all ending in the same in-memory handler returning a cached 200:
/// a bare <see cref="HttpClient"/>, a named client from IHttpClientFactory with no policies, a plain Polly v8 pipeline
/// (retry + timeout) on a bare client and on the same kind of factory client as Mesh's (issue 18's yardstick), Microsoft's <c>AddStandardResilienceHandler</c>, and <c>AddMeshClient</c> with its defaults
/// (total and per-try deadline, retries under a budget, peak-EWMA balancing, failure accrual, golden metrics), and the
/// same through <c>AddMesh()</c>, which finds each request's service by its host.
/// <see cref="Metrics"/> = true subscribes a <see cref="System.Diagnostics.Metrics.MeterListener"/> to the Mesh, Polly
/// and resilience meters (and turns Polly's telemetry on for the plain pipeline); false leaves every instrument disabled.
/// </summary>
public class ClientHandlerBenchmark
{
    private static readonly Uri Path = new("/items/42", UriKind.Relative);

    // A different path on every request (4,096 of them, far more than the 16 attempt URIs an endpoint keeps), so
    // MeshManyPaths pays for a new attempt URI per request, as a caller whose paths never repeat would.
    private static readonly Uri[] ManyPaths = Enumerable.Range(0, 4096).Select(i => new Uri($"/items/{i}?page={i % 7}", UriKind.Relative)).ToArray();
    private static readonly Uri Base = new("http://orders");
    private static readonly string[] Meters = ["Mesh", "Polly", "Microsoft.Extensions.Http.Resilience", "Microsoft.Extensions.Resilience"];

    private HttpClient _bare = null!;
    private HttpClient _factory = null!;
    private HttpClient _polly = null!;
    private HttpClient _factoryPolly = null!;
    private HttpClient _standard = null!;
    private HttpClient _mesh = null!;
    private HttpClient _meshByHost = null!;
    private ServiceProvider _services = null!;
    private MetricsListener? _listener;
    private int _next;

    [Params(false, true)]
    public bool Metrics { get; set; }

    /// <summary>Gets or sets the clock given to the DI-built clients (Mesh, standard handler); the system clock when null.</summary>
    internal TimeProvider? Clock { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Metrics)
        {
            _listener = new MetricsListener(Meters);
        }

        _bare = new HttpClient(new CachedOkHandler()) { BaseAddress = Base };

        var pollyBuilder = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 3,
                ShouldHandle = static args => new ValueTask<bool>(
                    args.Outcome.Exception is HttpRequestException || (int?)args.Outcome.Result?.StatusCode >= 500),
            })
            .AddTimeout(TimeSpan.FromSeconds(10));
        if (Metrics)
        {
            pollyBuilder.ConfigureTelemetry(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        }

        var pollyPipeline = pollyBuilder.Build();
        _polly = new HttpClient(new PollyHandler(pollyPipeline) { InnerHandler = new CachedOkHandler() }) { BaseAddress = Base };

        // AddMeshClient finds endpoints in configuration; the in-memory handler answers whatever address is picked.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Services:orders:http:0"] = "http://127.0.0.1:8081" })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        if (Clock is not null)
        {
            services.AddSingleton(Clock);
        }

        services.AddHttpClient("plain", static c => c.BaseAddress = Base)
            .ConfigurePrimaryHttpMessageHandler(static () => new CachedOkHandler());
        services.AddHttpClient("polly", static c => c.BaseAddress = Base)
            .AddHttpMessageHandler(() => new PollyHandler(pollyPipeline))
            .ConfigurePrimaryHttpMessageHandler(static () => new CachedOkHandler());
        services.AddHttpClient("standard", static c => c.BaseAddress = Base)
            .ConfigurePrimaryHttpMessageHandler(static () => new CachedOkHandler())
            .AddStandardResilienceHandler();
        services.AddMeshClient("orders")
            .ConfigurePrimaryHttpMessageHandler(static () => new CachedOkHandler());
        services.AddHttpClient("by-host", static c => c.BaseAddress = Base)
            .AddMesh()
            .ConfigurePrimaryHttpMessageHandler(static () => new CachedOkHandler());
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _factory = factory.CreateClient("plain");
        _factoryPolly = factory.CreateClient("polly");
        _standard = factory.CreateClient("standard");
        _mesh = factory.CreateClient("orders");
        _meshByHost = factory.CreateClient("by-host");

        // First calls resolve endpoints, build pipelines and publish instruments; keep them out of the measurement.
        foreach (var client in new[] { _bare, _factory, _polly, _factoryPolly, _standard, _mesh, _meshByHost })
        {
            var response = client.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Setup: {client.BaseAddress} answered {(int)response.StatusCode}.");
            }
        }

        if (Metrics && _listener!.Measurements == 0)
        {
            throw new InvalidOperationException("Metrics on, yet no measurement reached the listener.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _bare.Dispose();
        _polly.Dispose();
        _listener?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<HttpResponseMessage> Bare() => _bare.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> Factory() => _factory.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> Polly() => _polly.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    /// <summary>The same Polly pipeline on a factory client like Mesh's: what issue 18 compares Mesh's handler with.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> FactoryPolly() => _factoryPolly.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> StandardResilience() => _standard.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> Mesh() => _mesh.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> MeshByHost() => _meshByHost.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> MeshManyPaths() => _mesh.GetAsync(ManyPaths[_next++ & 4095], HttpCompletionOption.ResponseHeadersRead);

    [Benchmark]
    public Task<HttpResponseMessage> StandardResilienceManyPaths() => _standard.GetAsync(ManyPaths[_next++ & 4095], HttpCompletionOption.ResponseHeadersRead);
}
