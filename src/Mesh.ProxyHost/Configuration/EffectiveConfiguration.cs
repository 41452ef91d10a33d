using System.Text.Json.Serialization;
using Mesh.ProxyHost.Features.Admin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Configuration;

/// <summary>
/// The configuration Mesh actually runs on: the last good copy of the live configuration (file, environment,
/// command line). Every change of the live configuration is validated as a whole first; a valid one replaces the
/// copy at once (services, endpoints and policies together), an invalid one, or a file that does not parse, is
/// rejected whole and the last good copy stays, with the reason in the log and in <c>/config</c>.
/// </summary>
internal sealed partial class EffectiveConfiguration : ConfigurationProvider, IConfigurationSource, IDisposable
{
    private readonly IConfiguration _live;
    private readonly Func<IConfiguration, List<string>> _validate;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private IDisposable? _subscription;
    private volatile string? _loadError;

    public EffectiveConfiguration(IConfiguration live, Func<IConfiguration, List<string>> validate, ILogger logger, TimeProvider time)
    {
        _live = live;
        _validate = validate;
        _logger = logger;
        _time = time;
        Root = new ConfigurationBuilder().Add(this).Build();
    }

    /// <summary>Gets the configuration Mesh reads: services, endpoints and policies.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>Gets the outcome of the last reload.</summary>
    public ReloadStatus Status { get; private set; } = new("loaded", null, []);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Validates and adopts the live configuration at start; returns every error when it is invalid.</summary>
    public List<string> Start()
    {
        var errors = Candidate(out var data);
        if (errors.Count == 0)
        {
            Data = data;
            Status = new ReloadStatus("loaded", _time.GetUtcNow(), []);
            _subscription = ChangeToken.OnChange(_live.GetReloadToken, OnLiveChanged);
        }

        return errors;
    }

    /// <summary>Records that a configuration file failed to load, so the reload it triggers is rejected.</summary>
    public void ReportLoadError(string file, Exception exception) =>
        _loadError = $"{file} could not be read: {exception.GetBaseException().Message}";

    private List<string> Candidate(out Dictionary<string, string?> data)
    {
        data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in _live.AsEnumerable())
        {
            if (value is not null)
            {
                data[key] = value;
            }
        }

        if (Interlocked.Exchange(ref _loadError, null) is { } loadError)
        {
            return [loadError];
        }

        var snapshot = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
        return _validate(snapshot);
    }

    private void OnLiveChanged()
    {
        var errors = Candidate(out var data);
        if (errors.Count > 0)
        {
            Status = new ReloadStatus("rejected", _time.GetUtcNow(), errors);
            Log.ReloadRejected(_logger, string.Join("; ", errors));
            return;
        }

        if (Same(data))
        {
            // The live configuration is the one in effect again (the operator put the last good file back): the
            // rejection /config shows is over, though nothing needs to change.
            if (Status.State == "rejected")
            {
                Status = new ReloadStatus("applied", _time.GetUtcNow(), []);
                Log.ReloadApplied(_logger);
            }

            return;
        }

        Data = data;
        Status = new ReloadStatus("applied", _time.GetUtcNow(), []);
        Log.ReloadApplied(_logger);
        OnReload();
    }

    private bool Same(Dictionary<string, string?> data) =>
        data.Count == Data.Count && data.All(pair => Data.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public void Dispose() => _subscription?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Information, "Configuration reloaded and applied.")]
        public static partial void ReloadApplied(ILogger logger);

        [LoggerMessage(31, LogLevel.Error, "Configuration reload rejected; the last good configuration stays active: {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}

/// <summary>The outcome of the last configuration (re)load, as shown by <c>/config</c>.</summary>
/// <param name="State"><c>loaded</c>, <c>applied</c> or <c>rejected</c>.</param>
/// <param name="At">When it happened; <c>/config</c> writes it in the round-trip format (<c>"O"</c>).</param>
/// <param name="Errors">Why it was rejected.</param>
internal sealed record ReloadStatus(string State, [property: JsonConverter(typeof(RoundTripTimeConverter))] DateTimeOffset? At, IReadOnlyList<string> Errors);
