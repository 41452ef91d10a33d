using System.Diagnostics;
using System.Text.Json;
using Mesh.MultiHost.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.MultiHost.Tests;

/// <summary>
/// Mesh beyond one machine, on Linux network namespaces: three backend hosts, each a python http.server behind a
/// sidecar's inbound listener, and a client host whose outbound sidecar knows the three inbound addresses as service
/// "orders". Traffic crosses real interfaces and a bridge; one backend host's link is pulled mid-run. Every address
/// used exists only inside the lab's namespaces (10.231.X.0/24) or on a namespace's own loopback.
/// </summary>
public class MultiHostFailoverTests(ITestOutputHelper output)
{
    private const int OutboundPort = 4140;
    private const int InboundPort = 4143;
    private const int AdminPort = 4191;
    private const int BackendPort = 8080;
    private const double LoadSeconds = 12;
    private const int ServedBeforeLinkDown = 20;
    private static readonly string[] Backends = ["b1", "b2", "b3"];

    /// <summary>How much a metric (summed over the samples with these labels) grew between two scrapes.</summary>
    private delegate double MetricDelta(string metric, params string[] labels);

    private static readonly Dictionary<string, string?> DotnetEnvironment = new()
    {
        // Four sidecars share two cores here: workstation GC keeps each one small.
        ["DOTNET_gcServer"] = "0",
        ["DOTNET_TieredPGO"] = "0",
        ["ASPNETCORE_URLS"] = "",
        ["DOTNET_URLS"] = "",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    [NetnsFact]
    public async Task BackendHostLinkDown_IsEjected_RequestsSucceedElsewhere_AndInboundMetricsAccountForEveryRequest()
    {
        var clock = Stopwatch.StartNew();
        var folder = Directory.CreateTempSubdirectory("mesh-multihost-");
        var lab = await NetworkLab.CreateAsync();
        try
        {
            // ---- The hosts: client c at .10, backends b1..b3 at .11..13, all on one bridge.
            await lab.AddHostAsync("c", 10);
            for (var i = 0; i < Backends.Length; i++)
            {
                await lab.AddHostAsync(Backends[i], 11 + i);
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: hosts and links up");
            var inbound = Backends.Select((_, i) => $"{lab.Address(11 + i)}:{InboundPort}").ToArray();
            var python = Tools.Find("python3")!;
            foreach (var (backend, i) in Backends.Select((b, i) => (b, i)))
            {
                // The application: serves index.html, which names its host, on the host's loopback only.
                var site = Directory.CreateDirectory(Path.Combine(folder.FullName, backend)).FullName;
                await File.WriteAllTextAsync(Path.Combine(site, "index.html"), backend);
                lab.Start($"{backend} app", backend, python, ["-m", "http.server", $"{BackendPort}", "--bind", "127.0.0.1"], site);

                // Its sidecar: inbound on the host's address, in front of the application.
                lab.Start($"{backend} sidecar", backend, Command.Dotnet, [Tools.Sidecar, .. SidecarArgs(
                    $"--Mesh:Proxy:Inbound:Listen={inbound[i]}",
                    $"--Mesh:Proxy:Inbound:Target=http://127.0.0.1:{BackendPort}",
                    "--Mesh:Proxy:Inbound:Service=orders")], environment: DotnetEnvironment);
            }

            // The client's sidecar: service "orders" is the three inbound addresses. A try that gets no answer (a pulled
            // link resets nothing) is cut at 1 s and retried on another endpoint.
            lab.Start("c sidecar", "c", Command.Dotnet, [Tools.Sidecar, .. SidecarArgs(
            [
                "--Mesh:Proxy:Inbound:Listen=",
                .. inbound.Select((address, i) => $"--Services:orders:http:{i}=http://{address}"),
                "--Mesh:Services:orders:Timeouts:PerTry=00:00:01",

                // An even split, so the downed endpoint keeps being tried and meets its failures within the run; peak-EWMA
                // would rightly starve a slow endpoint, leaving it too few tries to be ejected in a few seconds.
                "--Mesh:Services:orders:LoadBalancer=RoundRobin",
                "--Mesh:Services:orders:Timeouts:Total=00:00:05",
            ])], environment: DotnetEnvironment);

            await Task.WhenAll(Backends.Select(b => WaitForAsync(lab, b, $"http://127.0.0.1:{BackendPort}/index.html"))
                .Concat(Backends.Append("c").Select(h => WaitForAsync(lab, h, $"http://127.0.0.1:{AdminPort}/ready"))));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: applications and sidecars ready");

            // Warm up: each backend sidecar's inbound path from its own host, then the whole path from the client, until
            // ten requests in a row succeed (a cold process can miss the 1 s per-try timeout on its first requests).
            await Task.WhenAll(Backends.Select((b, i) => WaitForAsync(lab, b, $"http://{inbound[i]}/index.html")));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: inbound paths warm");
            await WarmUpAsync(lab);

            var setup = clock.Elapsed;
            var before = await ScrapeAsync(lab);

            // ---- Traffic from inside the client host; one backend host's link goes down mid-run.
            var load = lab.ExecAsync("c", python, [Path.Combine(AppContext.BaseDirectory, "Infrastructure", "load.py"), "127.0.0.1", $"{OutboundPort}", "orders", $"{LoadSeconds}", "4"], TimeSpan.FromSeconds(60));
            // The link goes down once b1 has served some of the load: on a loaded machine the generator may take seconds
            // to start, and a fixed delay then downed b1 before it had served anything.
            await WaitForInboundRequestsAsync(lab, "b1", before["b1"], ServedBeforeLinkDown, TimeSpan.FromSeconds(LoadSeconds / 2));
            await lab.LinkDownAsync("b1");
            var run = await load;
            Assert.True(run.Ok, $"load generator failed ({run.ExitCode}): {run.Error}");
            using var summary = JsonDocument.Parse(run.Output);
            var sent = summary.RootElement.GetProperty("sent").GetInt32();
            var ok = summary.RootElement.GetProperty("ok").GetInt32();
            var byBackend = summary.RootElement.GetProperty("by_backend").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

            // Let the last responses land and the exporters' scrape caches expire.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var after = await ScrapeAsync(lab);
            var stats = (await lab.CurlAsync("c", $"http://127.0.0.1:{AdminPort}/stats")).Body;

            // ---- What the client saw.
            output.WriteLine($"setup {setup.TotalSeconds:F1} s; load: {run.Output.Trim()}");
            Assert.True(ok >= sent * 0.999, $"success {ok}/{sent} is below 99.9%; first failures: {summary.RootElement.GetProperty("failures")}");
            Assert.All(Backends, b => Assert.True(byBackend.GetValueOrDefault(b) > 0, $"{b} served nothing: {run.Output}"));

            // ---- Retried elsewhere, and the downed endpoint ejected (client sidecar's own view).
            var client = Delta(before["c"], after["c"]);
            var retries = client("mesh_retries_total", "mesh_service=\"orders\"");
            var ejections = client("mesh_endpoint_ejections_total", $"mesh_endpoint=\"{inbound[0]}\"");
            var state = EndpointState(stats, inbound[0]);
            output.WriteLine($"client sidecar: retries {retries}, ejections of b1 {ejections}, b1 now '{state}'");
            Assert.True(retries > 0, "no retries were made, yet b1 went down under load");
            Assert.True(ejections >= 1, "b1 was never ejected");
            Assert.Contains(state, new[] { "ejected", "probing" });

            // ---- Every request accounted for, host by host: attempts the client sidecar made to each endpoint
            // against the requests each backend host's inbound sidecar counted.
            double reachedButLost = 0, inboundTotal = 0, successfulAttempts = 0;
            for (var i = 0; i < Backends.Length; i++)
            {
                var endpoint = $"mesh_endpoint=\"{inbound[i]}\"";
                var succeeded = client("mesh_attempts_total", endpoint, "mesh_classification=\"success\"");
                var failed = client("mesh_attempts_total", endpoint, "mesh_classification=\"failure\"");
                var counted = Delta(before[Backends[i]], after[Backends[i]])("mesh_requests_total", "mesh_direction=\"inbound\"");
                output.WriteLine($"{Backends[i]}: client attempts {succeeded} ok + {failed} failed, inbound counted {counted}, client saw {byBackend.GetValueOrDefault(Backends[i])} answers");
                Assert.Equal(byBackend.GetValueOrDefault(Backends[i]), succeeded);
                if (i == 0)
                {
                    // The downed host: every success reached it; of the failed tries, those sent before the link
                    // went down reached it too (its answer was lost on the way back), the rest never arrived.
                    Assert.InRange(counted, succeeded, succeeded + failed);
                    reachedButLost = counted - succeeded;
                }
                else
                {
                    Assert.Equal(succeeded + failed, counted);
                    reachedButLost += failed;
                }

                inboundTotal += counted;
                successfulAttempts += succeeded;
            }

            Assert.Equal(ok, successfulAttempts);
            Assert.Equal(ok + reachedButLost, inboundTotal);
            output.WriteLine($"inbound total {inboundTotal} = {ok} successful requests + {reachedButLost} failed tries that reached a backend; {clock.Elapsed.TotalSeconds:F1} s in all");
        }
        catch
        {
            await DumpAsync(lab);
            throw;
        }
        finally
        {
            await lab.DisposeAsync();
            folder.Delete(recursive: true);
        }
    }

    private static string[] SidecarArgs(params string[] specific) =>
    [
        $"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{OutboundPort}",
        "--Mesh:Proxy:Outbound:ListenHttp2=",
        $"--Mesh:Admin:Listen=127.0.0.1:{AdminPort}",
        "--Mesh:Proxy:DrainDelay=00:00:00",
        "--Mesh:Proxy:DrainTimeout=00:00:01",
        "--Logging:LogLevel:Default=Warning",
        "--hostBuilder:reloadConfigOnChange=false",
        .. specific,
    ];

    private static async Task WaitForAsync(NetworkLab lab, string host, string url)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if ((await lab.CurlAsync(host, url)).Status == 200)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} in host {host} did not answer 200 within 30 s");
    }

    // Until the host's inbound sidecar has counted `count` requests more than in `before` (or `within` has passed).
    private static async Task WaitForInboundRequestsAsync(NetworkLab lab, string host, string before, int count, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            var metrics = await lab.CurlAsync(host, $"http://127.0.0.1:{AdminPort}/metrics");
            if (metrics.Status == 200 && Delta(before, metrics.Body)("mesh_requests_total", "mesh_direction=\"inbound\"") >= count)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task WarmUpAsync(NetworkLab lab)
    {
        var deadline = Stopwatch.StartNew();
        var inARow = 0;
        var last = "";
        while (inARow < 10)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"the path through the client sidecar did not work within 30 s; last answer: {last}");
            }

            var (status, body) = await lab.CurlAsync("c", $"http://127.0.0.1:{OutboundPort}/index.html", "orders");
            inARow = status == 200 ? inARow + 1 : 0;
            last = $"{status} {body}";
        }
    }

    /// <summary>Every host's sidecar's /metrics, read from inside the host (the admin listener is on its loopback).</summary>
    private static async Task<Dictionary<string, string>> ScrapeAsync(NetworkLab lab)
    {
        var hosts = Backends.Append("c").ToArray();
        var texts = await Task.WhenAll(hosts.Select(h => lab.CurlAsync(h, $"http://127.0.0.1:{AdminPort}/metrics")));
        return hosts.Zip(texts).ToDictionary(p => p.First, p => p.Second.Status == 200 ? p.Second.Body : throw new InvalidOperationException($"/metrics of {p.First}: {p.Second.Status}"));
    }

    private static MetricDelta Delta(string before, string after) =>
        (metric, labels) => PrometheusText.Sum(after, metric, labels) - PrometheusText.Sum(before, metric, labels);

    private static string EndpointState(string stats, string endpoint)
    {
        using var json = JsonDocument.Parse(stats);
        return json.RootElement.GetProperty("services").EnumerateArray()
            .Where(s => s.GetProperty("service").GetString() == "orders" && s.GetProperty("direction").GetString() == "outbound")
            .SelectMany(s => s.GetProperty("endpoints").EnumerateArray())
            .Where(e => e.GetProperty("endpoint").GetString() == endpoint)
            .Select(e => e.GetProperty("state").GetString() ?? "")
            .SingleOrDefault() ?? $"missing from /stats: {stats}";
    }

    private async Task DumpAsync(NetworkLab lab)
    {
        foreach (var host in Backends.Append("c"))
        {
            var links = await lab.ExecAsync(host, "ip", ["-brief", "addr"]);
            output.WriteLine($"--- {host}: {links.Output.Trim()}");
        }

        foreach (var process in lab.Processes)
        {
            output.WriteLine($"--- {process.Name}{(process.HasExited ? " (exited)" : "")}:\n{process.Tail}");
        }
    }
}
