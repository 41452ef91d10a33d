using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mesh.ProxyHost.Tests;

/// <summary>Credentials a caller sends through the sidecar appear in none of what it records about the request.</summary>
[Collection(SerialCollection.Name)]
public class SecretsTests
{
    private const string Secret = "hunter2-c0ffee";

    [Fact]
    public async Task AuthorizationCookieAndQuery_AppearInNoLogOrSpan_EvenWhenTheRequestFailsAndIsRetried()
    {
        // Mesh logs at Trace; YARP and ASP.NET Core at the sidecar's shipped levels (Warning; hosting diagnostics off).
        // Every ActivitySource is listened to: Mesh's spans, ASP.NET Core's, HttpClient's. Besides the retried request,
        // the same secrets go with requests that make Mesh log: failures that would eject the only endpoint (the panic
        // threshold keeps it), and a request for an unknown service.
        var calls = 0;
        string? authorizationSeen = null;
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            authorizationSeen = ctx.Request.Headers.Authorization;
            ctx.Response.StatusCode = ctx.Request.Path == "/fail" || Interlocked.Increment(ref calls) == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        var logs = new FakeLoggerProvider();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }),
            services => services.AddSingleton<ILoggerProvider>(logs),
            "--Logging:LogLevel:Mesh=Trace");

        var response = await RawHttp.SendAsync(
            sidecar.OutboundPort,
            $"GET /orders/42?token={Secret} HTTP/1.1\r\nHost: orders\r\nAuthorization: Bearer {Secret}\r\nCookie: session={Secret}\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal(2, calls);
        Assert.Equal($"Bearer {Secret}", authorizationSeen);
        foreach (var (host, path, status) in new[] { ("orders", "/fail", 503), ("orders", "/fail", 503), ("nowhere", "/x", 404) })
        {
            Assert.Equal(status, RawHttp.Status(await RawHttp.SendAsync(
                sidecar.OutboundPort,
                $"GET {path}?token={Secret} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {Secret}\r\nCookie: session={Secret}\r\nConnection: close\r\n\r\n")));
        }

        var logText = new StringBuilder();
        foreach (var record in logs.Collector.GetSnapshot())
        {
            logText.AppendLine(record.Message).AppendLine(record.Exception?.ToString());
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                logText.Append(key).Append('=').AppendLine(value);
            }

            foreach (var scope in record.Scopes)
            {
                logText.AppendLine(JsonSerializer.Serialize(scope));
            }
        }

        Assert.Contains("panic threshold", logText.ToString(), StringComparison.Ordinal);
        Assert.Contains("unknown service 'nowhere'", logText.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logText.ToString(), StringComparison.Ordinal);

        string spanText;
        lock (spans)
        {
            Assert.Contains(spans, span => span.Source.Name == "Mesh");
            spanText = string.Join('\n', spans.Select(span =>
                $"{span.DisplayName} {span.OperationName} {string.Join(',', span.TagObjects.Select(t => $"{t.Key}={t.Value}"))} " +
                string.Join(',', span.Events.Select(e => $"{e.Name} {string.Join(',', e.Tags.Select(t => $"{t.Key}={t.Value}"))}")) +
                string.Join(',', span.Baggage.Select(b => $"{b.Key}={b.Value}"))));
        }

        Assert.Contains("mesh.service=orders", spanText, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, spanText, StringComparison.Ordinal);
    }
}
