using System.Text.Json.Serialization;
using Mesh.Configuration.Shape;
using Mesh.ProxyHost.Features.Admin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Configuration;

/// <summary>
/// The configuration Mesh actually runs on: the last good copy of the live configuration (file, environment,
/// command line). Every change of the live configuration is validated as a whole first; a valid one replaces the
/// copy at once (services, endpoints and policies together), an invalid one, or a file that does not parse, is
/// rejected whole and the last good copy stays, with the reason in the log and in <c>/config</c>. Durations in unit form
/// (<c>5s</c>, <c>250ms</c>) are read into the .NET form on the way in, and a bare number under a duration key is an
/// error; a key under <c>Mesh:</c> that no setting has is a warning, naming the nearest known key.
/// </summary>
internal sealed partial class EffectiveConfiguration : ConfigurationProvider, IConfigurationSource, IDisposable
{
    private readonly IConfiguration _live;
    private readonly Func<IConfiguration, List<string>> _validate;
    private readonly ConfigurationShape _shape;
    private ILogger _logger;
    private readonly TimeProvider _time;
    private IDisposable? _subscription;
    private volatile string? _loadError;
    private readonly StartOnlySettings _startOnly = new();

    public EffectiveConfiguration(IConfiguration live, Func<IConfiguration, List<string>> validate, ConfigurationShape shape, ILogger logger, TimeProvider time)
    {
        _live = live;
        _validate = validate;
        _shape = shape;
        _logger = logger;
        _time = time;
        Root = new ConfigurationBuilder().Add(this).Build();
    }

    /// <summary>Gets the configuration Mesh reads: services, endpoints and policies.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>Gets the outcome of the last reload.</summary>
    public ReloadStatus Status { get; private set; } = new("loaded", null, [], []);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Logs reloads to <paramref name="logger"/> from now on (the host's, once it is built).</summary>
    public void UseLogger(ILogger logger) => _logger = logger;

    /// <summary>Validates and adopts the live configuration at start; returns every error when it is invalid.</summary>
    public List<string> Start()
    {
        var errors = Candidate(out var data, out var warnings);
        if (errors.Count == 0)
        {
            Data = data;
            _startOnly.Start(data);
            Status = new ReloadStatus("loaded", _time.GetUtcNow(), [], warnings);
            Warn(warnings);
            _subscription = ChangeToken.OnChange(_live.GetReloadToken, OnLiveChanged);
        }

        return errors;
    }

    /// <summary>Records that a configuration file failed to load, so the reload it triggers is rejected.</summary>
    public void ReportLoadError(string file, Exception exception) =>
        _loadError = $"{file} could not be read: {exception.GetBaseException().Message}";

    private List<string> Candidate(out Dictionary<string, string?> data, out IReadOnlyList<string> warnings)
    {
        data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        warnings = [];
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

        warnings = _shape.Misspelled(data.Keys);
        var errors = ConfigurationDurations.Normalize(data, _shape);
        var snapshot = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
        errors.AddRange(_validate(snapshot));
        return errors;
    }

    private void Warn(IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings)
        {
            Log.UnknownKey(_logger, warning);
        }
    }

    private void OnLiveChanged()
    {
        var errors = Candidate(out var data, out var warnings);
        warnings = [.. warnings, .. _startOnly.Changed(data)];
        Warn(warnings);
        if (errors.Count > 0)
        {
            Status = new ReloadStatus("rejected", _time.GetUtcNow(), errors, warnings);
            Log.ReloadRejected(_logger, string.Join("; ", errors));
            return;
        }

        if (Same(data))
        {
            // The live configuration is the one in effect again (the operator put the last good file back): the
            // rejection /config shows is over, though nothing needs to change.
            if (Status.State == "rejected")
            {
                Status = new ReloadStatus("applied", _time.GetUtcNow(), [], warnings);
                Log.ReloadApplied(_logger);
            }

            return;
        }

        Data = data;
        Status = new ReloadStatus("applied", _time.GetUtcNow(), [], warnings);
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

        [LoggerMessage(32, LogLevel.Warning, "{Warning}")]
        public static partial void UnknownKey(ILogger logger, string warning);
    }
}

/// <summary>The outcome of the last configuration (re)load, as shown by <c>/config</c>.</summary>
/// <param name="State"><c>loaded</c>, <c>applied</c> or <c>rejected</c>.</param>
/// <param name="At">When it happened; <c>/config</c> writes it in the round-trip format (<c>"O"</c>).</param>
/// <param name="Errors">Why it was rejected.</param>
/// <param name="Warnings">Keys under <c>Mesh:</c> that no setting has, each with the nearest known key when one is close.</param>
internal sealed record ReloadStatus(string State, [property: JsonConverter(typeof(RoundTripTimeConverter))] DateTimeOffset? At, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);
