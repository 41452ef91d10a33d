using System.Collections.Concurrent;
using Mesh.Packaging.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Mesh.Packaging.Tests;

/// <summary>A new user's first hour: a fresh <c>dotnet new web</c> app, Mesh.Client from the feed, one call through Mesh.</summary>
[Collection(PackedFeedCollection.Name)]
public class ConsumerAppTests(PackedFeed feed, ITestOutputHelper output)
{
    // As Mesh.Client's README starts: every client of the app meshed, the service taken from the request's host.
    private const string Program = """
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddMesh());
        var app = builder.Build();

        app.MapGet("/", async (IHttpClientFactory factory) =>
            await factory.CreateClient().GetStringAsync("http://orders/orders/42"));

        app.Run();
        """;

    [Fact]
    public async Task FreshWebApp_WithMeshClientFromTheFeed_ReachesTheConfiguredEndpoint_ThroughMeshsRetry()
    {
        var project = Path.Combine(feed.Root, "app");
        var nuget = feed.NuGetEnvironment;
        Step(await Command.DotnetAsync(["new", "web", "-n", "MeshApp", "-o", project, "--no-update-check"], feed.Root, nuget));
        Step(await Command.DotnetAsync(["add", "package", "Mesh.Client", "--version", feed.Version], project, nuget));
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), Program);
        Step(await Command.DotnetAsync(["build", "-c", "Release", "--disable-build-servers", "-nologo"], project, nuget));

        // This run's packages, restored from the feed into the test's folder (never the machine's cache).
        Assert.True(Directory.Exists(Path.Combine(feed.Root, "packages", "mesh.client", feed.Version.ToLowerInvariant())));
        Assert.True(Directory.Exists(Path.Combine(feed.Root, "packages", "mesh.core", feed.Version.ToLowerInvariant())));

        // The backend answers its first request 503 and then the path it was asked for: plain HttpClient would fail.
        var deadlines = new ConcurrentQueue<string>();
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            deadlines.Enqueue(context.Request.Headers["mesh-timeout-ms"].ToString());
            if (deadlines.Count == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await context.Response.WriteAsync($"{context.Request.Path}, attempt {deadlines.Count}");
        });
        await using var app = await RunningApp.StartAsync(
            Path.Combine(project, "bin", "Release", "net10.0", "MeshApp.dll"),
            [$"--Services:orders:http:0={backend.Url}"],
            TimeSpan.FromMinutes(2));

        using var http = new HttpClient();
        using var response = await http.GetAsync(app.Url);
        var body = await response.Content.ReadAsStringAsync();

        // http://orders is no host: only Mesh, reading Services:orders:http:0, can have reached the backend; the 503 was
        // retried by Mesh's policy; every attempt carried Mesh's per-try deadline.
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}\n{app.Log}");
        Assert.Equal("/orders/42, attempt 2", body);
        Assert.Equal(2, backend.Requests);
        Assert.All(deadlines, static d => Assert.Equal("10000", d));
    }

    private void Step(Command.Result result)
    {
        output.WriteLine($"{result.What}: {result.Took.TotalSeconds:F1} s");
        result.EnsureSuccess();
    }
}
