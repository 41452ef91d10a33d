using System.CommandLine;
using System.Globalization;
using System.Text;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh tap</c>: streams the requests that match, one line each (or, with <c>--output json</c>, the NDJSON of
/// <c>/tap</c> as it came), until the limit is reached, the stream ends, or Ctrl-C. Filtering happens in the sidecar,
/// so an idle filter costs nothing. The values the sidecar would refuse are refused here first, as usage errors.
/// </summary>
internal sealed class TapCommand : MeshCommand
{
    private readonly Option<string?> _service = TypedOptions.Text("--service", "name", "Only this service.");
    private readonly Option<string?> _direction = TypedOptions.Create<string?>(
        "--direction", "outbound|inbound", "Only this direction.", static (string text, out string? value) => (value = text) is "outbound" or "inbound", "outbound or inbound", "outbound", "inbound");
    private readonly Option<string?> _method = TypedOptions.Text("--method", "verb", "Only this HTTP method.", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private readonly Option<string?> _path = TypedOptions.Text("--path", "prefix", "Only paths starting with this prefix.");
    private readonly Option<string?> _status = TypedOptions.Create<string?>(
        "--status", "code|class", "Only this status (503) or class (5xx).", static (string text, out string? value) => IsStatus(value = text), "a code (503) or a class (5xx)", "1xx", "2xx", "3xx", "4xx", "5xx");
    private readonly Option<double?> _minMs = TypedOptions.NonNegative("--min-ms", "ms", "Only requests that took at least this long.");
    private readonly Option<string?> _endpoint = TypedOptions.Text("--endpoint", "host:port", "Only requests that tried this endpoint.");
    private readonly Option<string?> _route = TypedOptions.Text("--route", "name", "Only requests of this route (a route's name, a gRPC method path, default or other).");
    private readonly Option<int?> _limit = TypedOptions.PositiveInt("--limit", "n", "Stop after n requests.");
    private readonly Option<int?> _rate = TypedOptions.PositiveInt("--rate", "n", "At most n requests per second (the sidecar drops the rest). Default: 100.");

    public TapCommand(GlobalOptions global)
        : base("tap", "Stream matching requests as they complete: status, latency, endpoint, retries.", global)
    {
        foreach (var option in new Option[] { _service, _direction, _method, _path, _status, _minMs, _endpoint, _route, _limit, _rate })
        {
            Options.Add(option);
        }
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var limit = context.Value(_limit);
        var query = Query(context);
        using var client = context.CreateStreamingClient();
        await context.Error.WriteLineAsync($"Tapping {context.Admin}tap{query} (Ctrl-C to stop)");
        var seen = 0;
        try
        {
            await foreach (var line in client.TapAsync(query, cancellationToken))
            {
                await context.Out.WriteLineAsync(context.Output == OutputFormat.Json ? line : TapLine.Format(line));
                await context.Out.FlushAsync(cancellationToken);
                if (++seen >= limit)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how an unlimited tap is meant to end.
        }

        return ExitCodes.Ok;
    }

    /// <summary>The query string of <c>/tap</c>: each option given, as the sidecar names it.</summary>
    private string Query(CommandContext context)
    {
        var pairs = new (string Key, string? Value)[]
        {
            ("service", context.Value(_service)),
            ("direction", context.Value(_direction)),
            ("method", context.Value(_method)),
            ("path", context.Value(_path)),
            ("status", context.Value(_status)),
            ("min_ms", context.Value(_minMs)?.ToString(CultureInfo.InvariantCulture)),
            ("endpoint", context.Value(_endpoint)),
            ("route", context.Value(_route)),
            ("limit", context.Value(_limit)?.ToString(CultureInfo.InvariantCulture)),
            ("rate", context.Value(_rate)?.ToString(CultureInfo.InvariantCulture)),
        };
        var query = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (value is not null)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return query.ToString();
    }

    // As the sidecar reads it (TapQuery): a class 1xx to 5xx, or a code 100 to 599.
    private static bool IsStatus(string text) =>
        text.Length == 3 &&
        ((text[0] is >= '1' and <= '5' && text[1] is 'x' or 'X' && text[2] is 'x' or 'X') ||
         (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599));
}
