using System.Globalization;
using System.Text;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh tap</c>: streams the requests that match, one line each (or the raw NDJSON of <c>/tap</c>), until the
/// limit is reached, the stream ends, or Ctrl-C. Filtering happens in the sidecar, so an idle filter costs nothing.
/// </summary>
internal sealed class TapCommand : ICommand
{
    private static readonly OptionSpec Service = new("service", "name", "Only this service.");
    private static readonly OptionSpec Direction = new("direction", "outbound|inbound", "Only this direction.");
    private static readonly OptionSpec Method = new("method", "verb", "Only this HTTP method.");
    private static readonly OptionSpec PathPrefix = new("path", "prefix", "Only paths starting with this prefix.");
    private static readonly OptionSpec Status = new("status", "code|class", "Only this status (503) or class (5xx).");
    private static readonly OptionSpec MinMs = new("min-ms", "ms", "Only requests that took at least this long.");
    private static readonly OptionSpec Endpoint = new("endpoint", "host:port", "Only requests that tried this endpoint.");
    private static readonly OptionSpec Limit = new("limit", "n", "Stop after n requests.");
    private static readonly OptionSpec Rate = new("rate", "n", "At most n requests per second (the sidecar drops the rest). Default: 100.");
    private static readonly OptionSpec Json = new("json", null, "Print the raw NDJSON, one object per line.");

    public string Name => "tap";

    public string Summary => "Stream matching requests as they complete: status, latency, endpoint, retries.";

    public IReadOnlyList<OptionSpec> Options { get; } = [Service, Direction, Method, PathPrefix, Status, MinMs, Endpoint, Limit, Rate, Json];

    public async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var limit = options.PositiveInt(Limit.Name);
        var query = Query(options, limit);
        var json = options.Flag(Json.Name);
        using var client = context.CreateStreamingClient();
        await context.Error.WriteLineAsync($"Tapping {context.Admin}tap{query} (Ctrl-C to stop)");
        var seen = 0;
        try
        {
            await foreach (var line in client.TapAsync(query, cancellationToken))
            {
                await context.Out.WriteLineAsync(json ? line : TapLine.Format(line));
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

    /// <summary>The query string of <c>/tap</c>, after checking what the sidecar would reject so the mistake is a usage error.</summary>
    private static string Query(ParsedOptions options, int? limit)
    {
        if (options.Value(Direction.Name) is { } direction && direction is not ("outbound" or "inbound"))
        {
            throw new UsageException($"--direction must be outbound or inbound, was '{direction}'");
        }

        if (options.Value(Status.Name) is { } status && !IsStatus(status))
        {
            throw new UsageException($"--status must be a code (503) or a class (5xx), was '{status}'");
        }

        var minMs = options.NonNegative(MinMs.Name);
        var rate = options.PositiveInt(Rate.Name);
        var pairs = new (string Key, string? Value)[]
        {
            ("service", options.Value(Service.Name)),
            ("direction", options.Value(Direction.Name)),
            ("method", options.Value(Method.Name)),
            ("path", options.Value(PathPrefix.Name)),
            ("status", options.Value(Status.Name)),
            ("min_ms", minMs?.ToString(CultureInfo.InvariantCulture)),
            ("endpoint", options.Value(Endpoint.Name)),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)),
            ("rate", rate?.ToString(CultureInfo.InvariantCulture)),
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

    private static bool IsStatus(string text) =>
        text.Length == 3 && char.IsAsciiDigit(text[0]) &&
        ((text[1] is 'x' or 'X' && text[2] is 'x' or 'X') ||
         (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599));
}
