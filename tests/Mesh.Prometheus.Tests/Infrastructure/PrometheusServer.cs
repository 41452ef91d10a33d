using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>
/// Debian's <c>prometheus</c> (test.sh installs it) on a free loopback port, scraping one target, evaluating a rules
/// file, storing into a temporary folder; killed and its folder deleted on dispose. Queried through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly ConcurrentQueue<string> _log;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string folder, ConcurrentQueue<string> log, int port)
    {
        _process = process;
        _folder = folder;
        _log = log;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port, path /metrics) as job <c>mesh</c>.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, TimeSpan scrapeInterval, string rulesFile)
    {
        var folder = Directory.CreateTempSubdirectory("mesh-prometheus-").FullName;
        var interval = $"{(int)scrapeInterval.TotalMilliseconds}ms";
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $$"""
            global:
              scrape_interval: {{interval}}
              scrape_timeout: {{interval}}
              evaluation_interval: {{interval}}
            rule_files:
              - "{{rulesFile}}"
            scrape_configs:
              - job_name: mesh
                metrics_path: /metrics
                static_configs:
                  - targets: ["{{target}}"]
            """);

        // A port free a moment ago may be taken by the time Prometheus binds it: then try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var log = new ConcurrentQueue<string>();
            var process = Start(config, Path.Combine(folder, "data"), port, log);
            var server = new PrometheusServer(process, folder, log, port);
            if (await server.WaitUntilReadyAsync())
            {
                return server;
            }

            await server.StopProcessAsync();
            if (attempt == 3 || !log.Any(static l => l.Contains("address already in use", StringComparison.Ordinal)))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"prometheus did not become ready: {string.Join(Environment.NewLine, log)}");
            }
        }
    }

    /// <summary>Evaluates an instant query, at <paramref name="time"/> (Unix seconds) or now.</summary>
    public async Task<IReadOnlyList<PromSample>> QueryAsync(string promql, double? time = null)
    {
        var uri = "/api/v1/query?query=" + Uri.EscapeDataString(promql);
        if (time is { } t)
        {
            uri += "&time=" + t.ToString("R", CultureInfo.InvariantCulture);
        }

        using var response = await _http.GetAsync(uri);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"query {promql} failed ({(int)response.StatusCode}): {body}");
        }

        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
        {
            throw new InvalidOperationException($"query {promql} gave a {data.GetProperty("resultType").GetString()}, not a vector");
        }

        return [.. data.GetProperty("result").EnumerateArray().Select(PromSample.FromJson)];
    }

    /// <summary>The one value of a query that gives one series (or none: null).</summary>
    public async Task<double?> ValueAsync(string promql, double? time = null)
    {
        var samples = await QueryAsync(promql, time);
        return samples.Count switch
        {
            0 => null,
            1 => samples[0].Value,
            _ => throw new InvalidOperationException($"query {promql} gave {samples.Count} series, not one: {string.Join("; ", samples)}"),
        };
    }

    /// <summary>The values of a query by the value of one label.</summary>
    public async Task<Dictionary<string, double>> ValuesByAsync(string label, string promql, double? time = null) =>
        (await QueryAsync(promql, time)).ToDictionary(s => s.Labels.GetValueOrDefault(label, ""), s => s.Value);

    public string Log => string.Join(Environment.NewLine, _log);

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Process Start(string config, string data, int port, ConcurrentQueue<string> log)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("prometheus",
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={data}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            },
        };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("prometheus is not installed (Debian package prometheus; test.sh installs it).", e);
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private static void Append(ConcurrentQueue<string> log, string? line)
    {
        if (line is not null)
        {
            log.Enqueue(line);
        }
    }

    private async Task<bool> WaitUntilReadyAsync()
    {
        // Generous: a loaded 2-core machine may take a while to open the TSDB and load the rules.
        for (var i = 0; i < 600 && !_process.HasExited; i++)
        {
            try
            {
                using var response = await _http.GetAsync("/-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        return false;
    }

    private async Task StopProcessAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }
}
