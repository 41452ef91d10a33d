using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mesh.ProxyHost.Features.Admin;

namespace Mesh.Cli.Admin;

/// <summary>
/// Talks to an admin endpoint (the sidecar's admin port or an app's <c>MapMeshAdmin</c>) and turns every failure —
/// refused connection, timeout, error status — into an <see cref="AdminException"/> that names the address.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    /// <summary>How long a one-shot request (<c>/stats</c>, <c>/ready</c>) may take before <c>mesh</c> gives up.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;

    public AdminClient(Uri baseAddress, TimeSpan timeout)
    {
        BaseAddress = baseAddress;

        // The admin endpoint is loopback-only by default: never send its traffic through an HTTP proxy.
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = RequestTimeout };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout };
    }

    public Uri BaseAddress { get; }

    /// <summary><c>GET /stats?window=</c> (and <c>&amp;service=</c>, only that service): the raw JSON.</summary>
    public Task<string> GetStatsJsonAsync(TimeSpan window, CancellationToken cancellationToken, string? service = null) =>
        GetStringAsync(
            $"stats?window={window.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s{(service is null ? "" : "&service=" + Uri.EscapeDataString(service))}",
            cancellationToken);

    /// <summary>
    /// <c>GET /ready</c>. An app's <c>MapMeshAdmin</c> has no <c>/ready</c>: there a 404 is followed by <c>/stats</c>,
    /// and an answer to that counts as ready (the app is serving).
    /// </summary>
    public async Task<Readiness> GetReadinessAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync("ready", HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                _ = await GetStatsJsonAsync(TimeSpan.FromSeconds(10), cancellationToken);
                return new Readiness(ReadinessState.Ready, "serving (no /ready here: an app's MapMeshAdmin; /stats answered)");
            }

            return response.IsSuccessStatusCode
                ? new Readiness(ReadinessState.Ready, body.Length > 0 ? body : "ready")
                : new Readiness(ReadinessState.NotReady, $"{(int)response.StatusCode} {(body.Length > 0 ? body : response.ReasonPhrase)}");
        }
        catch (AdminException ex)
        {
            return new Readiness(ReadinessState.Unreachable, ex.Message);
        }
    }

    /// <summary>
    /// The sidecar's identity, from <c>GET /config</c>; null when it has none, or when the admin endpoint has no
    /// <c>/config</c> (an app's <c>MapMeshAdmin</c>).
    /// </summary>
    public async Task<IdentityDocument?> GetIdentityAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync("config", HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        try
        {
            using var config = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return config.RootElement.TryGetProperty("identity", out var identity) && identity.ValueKind == JsonValueKind.Object
                ? identity.Deserialize(ConfigJsonContext.Default.IdentityDocument)
                : null;
        }
        catch (JsonException ex)
        {
            throw new AdminException($"{Describe("config")} answered something that is not the sidecar's /config: {ex.Message}", ex);
        }
    }

    /// <summary><c>GET /tap?query</c>: each NDJSON line as it arrives, until the server ends the stream or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<string> TapAsync(string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync("tap" + query, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw new AdminException($"the tap stream from {Describe("tap")} broke: {ex.Message}", ex);
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> GetStringAsync(string relative, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(relative, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(string relative, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.GetAsync(new Uri(relative, UriKind.Relative), completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new AdminException(
                $"cannot reach the Mesh admin endpoint at {Describe(relative)}: {ex.Message.TrimEnd('.')}. Is the sidecar running? Point at it with --admin host:port.", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminException($"the Mesh admin endpoint at {Describe(relative)} did not answer within {RequestTimeout.TotalSeconds:0} s", ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        var path = response.RequestMessage?.RequestUri?.PathAndQuery ?? "";
        throw new AdminException($"the Mesh admin endpoint answered {(int)response.StatusCode} {response.ReasonPhrase} for {path}{(body.Length > 0 ? ": " + body : "")}");
    }

    private string Describe(string relative) => new Uri(BaseAddress, relative.Split('?')[0]).ToString();
}
