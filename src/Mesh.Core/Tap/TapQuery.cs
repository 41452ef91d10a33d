using System.Globalization;

namespace Mesh.Tap;

/// <summary>
/// Which requests a tap subscriber wants, from the query string of <c>GET /tap</c>: <c>service</c>, <c>direction</c>,
/// <c>method</c>, <c>path</c> (prefix), <c>status</c> (a code or a class such as <c>5xx</c>), <c>min_ms</c>,
/// <c>endpoint</c>, <c>route</c>, <c>limit</c> (stop after N events) and <c>rate</c> (events per second at most).
/// </summary>
public sealed class TapQuery
{
    /// <summary>The most events per second a subscriber gets when it asks for no rate. Default: 100.</summary>
    public const int DefaultRate = 100;

    /// <summary>Gets or sets the service to match.</summary>
    public string? Service { get; set; }

    /// <summary>Gets or sets the direction to match.</summary>
    public string? Direction { get; set; }

    /// <summary>Gets or sets the method to match.</summary>
    public string? Method { get; set; }

    /// <summary>Gets or sets the path prefix to match.</summary>
    public string? PathPrefix { get; set; }

    /// <summary>Gets or sets the exact status to match.</summary>
    public int? Status { get; set; }

    /// <summary>Gets or sets the status class to match (5 for <c>5xx</c>).</summary>
    public int? StatusClass { get; set; }

    /// <summary>Gets or sets the least duration to match.</summary>
    public double? MinDurationMs { get; set; }

    /// <summary>Gets or sets the endpoint to match (the one that answered, or any attempt's).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Gets or sets the <c>mesh.route</c> to match (a route's name, a gRPC method path, <c>default</c>, <c>other</c>), case-insensitive.</summary>
    public string? Route { get; set; }

    /// <summary>Gets or sets how many events to deliver before the tap ends.</summary>
    public int? Limit { get; set; }

    /// <summary>Gets or sets the most events delivered per second; more are dropped and counted.</summary>
    public int Rate { get; set; } = DefaultRate;

    /// <summary>Parses a query; false with a reason naming the parameter when a value is malformed.</summary>
    public static bool TryParse(Func<string, string?> get, out TapQuery query, out string error)
    {
        ArgumentNullException.ThrowIfNull(get);
        query = new TapQuery
        {
            Service = Blank(get("service")),
            Direction = Blank(get("direction")),
            Method = Blank(get("method"))?.ToUpperInvariant(),
            PathPrefix = Blank(get("path")),
            Endpoint = Blank(get("endpoint")),
            Route = Blank(get("route")),
        };
        error = "";
        if (query.Direction is not (null or "outbound" or "inbound"))
        {
            error = $"direction must be outbound or inbound, was '{query.Direction}'";
            return false;
        }

        if (Blank(get("status")) is { } status)
        {
            if (status.Length == 3 && status[0] is >= '1' and <= '5' && status.EndsWith("xx", StringComparison.OrdinalIgnoreCase))
            {
                query.StatusClass = status[0] - '0';
            }
            else if (int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
            {
                query.Status = code;
            }
            else
            {
                error = $"status must be a code (503) or a class (5xx), was '{status}'";
                return false;
            }
        }

        if (!TryNumber(get("min_ms"), "min_ms", out var minMs, ref error) ||
            !TryNumber(get("limit"), "limit", out var limit, ref error) ||
            !TryNumber(get("rate"), "rate", out var rate, ref error))
        {
            return false;
        }

        if (limit is < 1)
        {
            error = "limit must be at least 1";
            return false;
        }

        query.MinDurationMs = minMs;
        query.Limit = limit is { } l ? (int)Math.Min(l, int.MaxValue) : null;
        if (rate is { } r)
        {
            query.Rate = (int)Math.Clamp(r, 1, 10_000);
        }

        return true;
    }

    /// <summary>Whether <paramref name="e"/> matches every condition given.</summary>
    public bool Matches(TapEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return (Service is null || string.Equals(Service, e.Service, StringComparison.OrdinalIgnoreCase)) &&
            (Direction is null || Direction == e.Direction) &&
            (Method is null || Method == e.Method) &&
            (PathPrefix is null || e.Path.StartsWith(PathPrefix, StringComparison.Ordinal)) &&
            (Status is null || Status == e.Status) &&
            (StatusClass is null || (e.Status is { } s && s / 100 == StatusClass)) &&
            (MinDurationMs is null || e.DurationMs >= MinDurationMs) &&
            (Endpoint is null || e.Endpoint == Endpoint || e.Attempts.Any(a => a.Endpoint == Endpoint)) &&
            (Route is null || string.Equals(Route, e.Route, StringComparison.OrdinalIgnoreCase));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool TryNumber(string? value, string name, out double? number, ref string error)
    {
        number = null;
        if (Blank(value) is not { } text)
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0 && double.IsFinite(parsed))
        {
            number = parsed;
            return true;
        }

        error = $"{name} must be a non-negative number, was '{text}'";
        return false;
    }
}
