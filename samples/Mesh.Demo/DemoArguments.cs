using System.Globalization;

namespace Mesh.Demo;

/// <summary>The demo's command line: <c>--duration &lt;seconds&gt;</c> and <c>--help</c>.</summary>
internal sealed record DemoArguments(TimeSpan Duration, bool ShowHelp, string? Error)
{
    /// <summary>How long traffic runs when <c>--duration</c> is not given.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(20);

    public const string Usage = """
        Usage: dotnet run --project samples/Mesh.Demo [-- --duration <seconds>]

        Starts three loopback backends (healthy: 5 ms; slow: 55 ms; failing: 5 ms, 30 % 503s) and
        calls them as "orders" (Mesh's default policies) from 8 concurrent loops: 6 through a Mesh
        client in this process, 2 through a Mesh sidecar (Mesh.ProxyHost, also in this process, on
        free loopback ports) with a plain HttpClient, as an app in another language would. Shows
        Mesh's own metrics live, once a second: latency and success per endpoint and for the callers,
        retries and refused retries, ejections and endpoint states. Prints the sidecar's dashboard
        address first ("Dashboard: http://127.0.0.1:<port>/"): open it while the demo runs.

        Options:
          --duration <seconds>  How long to send traffic (default 20). Ctrl-C stops early.
          -h, --help            Show this help.
        """;

    public static DemoArguments Parse(IReadOnlyList<string> args)
    {
        var duration = DefaultDuration;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help" or "-?":
                    return new(duration, ShowHelp: true, Error: null);
                case "--duration" when i + 1 < args.Count
                    && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                    && seconds > 0 && seconds <= TimeSpan.FromDays(1).TotalSeconds:
                    duration = TimeSpan.FromSeconds(seconds);
                    i++;
                    break;
                case "--duration":
                    return new(duration, ShowHelp: false, Error: "--duration needs a number of seconds above 0.");
                default:
                    return new(duration, ShowHelp: false, Error: $"Unknown argument '{args[i]}'.");
            }
        }

        return new(duration, ShowHelp: false, Error: null);
    }
}
