using System.Diagnostics.Metrics;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// The sidecar's identity now: loaded and checked at start, then renewed from its files as the identity system rewrites
/// them. A change is seen at once (a watcher on each file's folder, which also sees Kubernetes' <c>..data</c> symlink
/// swap) and by a check of the files' bytes every few seconds (for file systems whose events do not reach the watcher);
/// a renewal is used by the next handshake, connections already open keep theirs. Files that are broken or half written
/// (a key that is not the new certificate's, a PEM cut short, an expired certificate) are rejected whole: the last good
/// identity stays, and the log, <c>/config</c> and <c>mesh.identity.reloads{mesh.identity.reload="rejected"}</c> say why.
/// </summary>
internal sealed partial class IdentitySource : IHostedService, IDisposable
{
    // Writers replace three files one after another: a short wait after the first event reads them together.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private readonly IdentityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IdentityMetrics _metrics;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _settle;
    private readonly ITimer _poll;
    private readonly Lock _reading = new();
    private IdentityFiles.Contents _seen;
    private volatile WorkloadIdentity _current;
    private volatile IdentityReload _status;
    private string _expiryState = IdentityExpiry.Ok;

    public IdentitySource(IdentityOptions options, WorkloadIdentity initial, IdentityFiles.Contents contents, TimeProvider time, ILogger<IdentitySource> logger, IMeterFactory meterFactory)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _current = initial;
        _seen = contents;
        _status = new IdentityReload(IdentityReload.Loaded, time.GetUtcNow(), []);
        _metrics = new IdentityMetrics(meterFactory, () => (_current.NotAfter - _time.GetUtcNow()).TotalSeconds);

        // The file watch runs on the machine's clock whatever clock judges expiry: it is mechanism, not policy.
        _settle = TimeProvider.System.CreateTimer(static s => ((IdentitySource)s!).Reload(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = TimeProvider.System.CreateTimer(static s => ((IdentitySource)s!).Tick(), this, Poll, Poll);
        foreach (var folder in new[] { options.CertificateFile, options.KeyFile, options.TrustBundleFile }.Select(static f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct())
        {
            Watch(folder);
        }

        Log.Loaded(_logger, initial.Id.Value, initial.Serial, initial.NotAfter);
        CheckExpiry();
    }

    /// <summary>Gets the identity handshakes present and check peers against now.</summary>
    public WorkloadIdentity Current => _current;

    /// <summary>Gets how the last reading of the files went.</summary>
    public IdentityReload Status => _status;

    /// <summary>Gets how close the current identity is to its expiry.</summary>
    public IdentityExpiry Expiry => IdentityExpiry.Of(_current, _time.GetUtcNow());

    /// <summary>Reads the files now, as a change event would (tests; <c>Reload</c> is what the watcher and the poll call).</summary>
    public void Reload()
    {
        lock (_reading)
        {
            var errors = new List<string>();
            var contents = IdentityFiles.Read(_options, errors);
            if (contents is not null && contents.SameAs(_seen))
            {
                return;
            }

            var candidate = contents is null ? null : IdentityFiles.Load(_options, contents, _time.GetUtcNow(), errors);
            if (contents is not null)
            {
                _seen = contents;
            }

            if (candidate is null)
            {
                if (_status.State != IdentityReload.Rejected || !_status.Errors.SequenceEqual(errors))
                {
                    _status = new IdentityReload(IdentityReload.Rejected, _time.GetUtcNow(), errors);
                    _metrics.RecordReload(IdentityReload.Rejected);
                    Log.Rejected(_logger, _current.Id.Value, _current.Serial, string.Join("; ", errors));
                }

                return;
            }

            // The same certificate and bundle rewritten (or put back after a broken write): nothing to renew, though a
            // rejection /config shows is over.
            var changed = !candidate.SameAs(_current);
            if (!changed && _status.State != IdentityReload.Rejected)
            {
                return;
            }

            _current = candidate;
            _status = new IdentityReload(IdentityReload.Renewed, _time.GetUtcNow(), []);
            if (changed)
            {
                _metrics.RecordReload(IdentityReload.Renewed);
                Log.Renewed(_logger, candidate.Id.Value, candidate.Serial, candidate.NotAfter);
            }
        }

        CheckExpiry();
    }

    // A hosted service only so it starts with the host (its watch and its gauge), not at its first use.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _settle.Dispose();
        _poll.Dispose();
    }

    private void Watch(string folder)
    {
        try
        {
            var watcher = new FileSystemWatcher(folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // No watcher (inotify instances used up, say): the poll still sees renewals, a few seconds later.
            Log.NotWatched(_logger, folder, ex.Message);
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => _settle.Change(Settle, Timeout.InfiniteTimeSpan);

    private void Tick()
    {
        Reload();
        CheckExpiry();
    }

    // Says so once when the identity enters the last fifth of its lifetime, and once when it expires.
    private void CheckExpiry()
    {
        var expiry = Expiry;
        if (Interlocked.Exchange(ref _expiryState, expiry.State) == expiry.State || expiry.Warning is null)
        {
            return;
        }

        if (expiry.State == IdentityExpiry.Expired)
        {
            Log.Expired(_logger, expiry.Warning);
        }
        else
        {
            Log.Expiring(_logger, expiry.Warning);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Information, "Identity {SpiffeId} loaded: certificate serial {Serial}, valid until {NotAfter:O}.")]
        public static partial void Loaded(ILogger logger, string spiffeId, string serial, DateTimeOffset notAfter);

        [LoggerMessage(61, LogLevel.Information, "Identity {SpiffeId} renewed: certificate serial {Serial}, valid until {NotAfter:O}; new handshakes use it.")]
        public static partial void Renewed(ILogger logger, string spiffeId, string serial, DateTimeOffset notAfter);

        [LoggerMessage(62, LogLevel.Error, "Identity files rejected; the last good identity ({SpiffeId}, serial {Serial}) stays in use: {Errors}")]
        public static partial void Rejected(ILogger logger, string spiffeId, string serial, string errors);

        [LoggerMessage(63, LogLevel.Warning, "Identity: {Warning}")]
        public static partial void Expiring(ILogger logger, string warning);

        [LoggerMessage(64, LogLevel.Error, "Identity: {Warning}")]
        public static partial void Expired(ILogger logger, string warning);

        [LoggerMessage(65, LogLevel.Warning, "Identity files in {Folder} are not watched ({Reason}); renewals are seen by the check every 5 s.")]
        public static partial void NotWatched(ILogger logger, string folder, string reason);
    }
}
