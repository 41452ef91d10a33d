using Mesh.Classification;
using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.Telemetry;
using Microsoft.Extensions.Logging;

namespace Mesh.FailureAccrual;

/// <summary>
/// The mechanism half of failure accrual for one service: feeds each attempt's classification to the endpoint's
/// policy, ejects the endpoint when the policy says so (never more than <c>MaxEjectionPercent</c> of the endpoints,
/// so a general outage degrades to balancing over all rather than failing everything), keeps it out for a penalty
/// that doubles with each ejection in a row, with ±20% jitter, up to the maximum, then lets exactly one real request
/// probe it.
/// </summary>
internal sealed partial class FailureAccrualMechanism(
    string service,
    ServiceEndpoints endpoints,
    FailureAccrualOptions options,
    TimeProvider time,
    Func<double> random,
    MeshTelemetry telemetry,
    ILogger logger,
    MeshService? owner = null)
{
    private readonly object _ejectLock = new();
    private FailureAccrualOptions _options = options;

    /// <summary>Takes reloaded settings (enabled, the ejection cap, the penalties) for the next attempts.</summary>
    public void Reconfigure(FailureAccrualOptions options) => Volatile.Write(ref _options, options);

    /// <summary>Claims the probe of an ejected endpoint whose penalty has ended (and that is not loaded), if there is one.</summary>
    public MeshEndpoint? TryClaimProbe(EndpointSet set, long now)
    {
        if (set.Available.Count == set.Count)
        {
            return null;
        }

        foreach (var endpoint in set.AllSpan)
        {
            if (!endpoint.IsLoadedAt(now) && endpoint.Health.TryStartProbe(now))
            {
                Log.Probing(logger, service, endpoint.Name);
                return endpoint;
            }
        }

        return null;
    }

    public void Record(MeshEndpoint endpoint, ResponseClassification classification, bool isProbe, long ended)
    {
        if (!Volatile.Read(ref _options).Enabled)
        {
            return;
        }

        var health = endpoint.Health;
        if (classification.Reason == FailureReasons.Cancelled)
        {
            if (isProbe)
            {
                health.ReleaseProbe(time.GetTimestamp());
            }

            return;
        }

        if (isProbe)
        {
            if (!classification.IsFailure && health.TryRevive())
            {
                health.Policy.Reset();
                endpoints.RefreshAvailability();
                Log.Revived(logger, service, endpoint.Name);
            }
            else if (classification.IsFailure)
            {
                Eject(endpoint, EndpointState.Probing, EjectionReasons.ProbeFailed);
            }

            return;
        }

        // Attempts that were already in flight when the endpoint was ejected do not vote.
        if (health.State != EndpointState.Ready)
        {
            return;
        }

        if (!classification.IsFailure)
        {
            // At the attempt's end, read once for every series that records the attempt.
            health.Policy.RecordSuccessAt(ended);
        }
        else if (health.Policy.RecordFailure() is { } reason)
        {
            Eject(endpoint, EndpointState.Ready, reason);
        }
    }

    /// <summary>
    /// An answer by which the endpoint asked for less traffic until <paramref name="until"/>: not a failure, and no sign of
    /// health either, so it is not counted. A probe answered so ends without a verdict; the next one waits until then.
    /// </summary>
    public void RecordBackpressure(MeshEndpoint endpoint, bool isProbe, long until)
    {
        if (isProbe && Volatile.Read(ref _options).Enabled)
        {
            endpoint.Health.ReleaseProbe(until);
        }
    }

    private void Eject(MeshEndpoint endpoint, EndpointState from, string reason)
    {
        lock (_ejectLock)
        {
            var set = endpoints.Current;
            var out_ = set.Count - set.Available.Count;
            var allowed = set.Count * Volatile.Read(ref _options).MaxEjectionPercent / 100;
            if (from == EndpointState.Ready && out_ + 1 > allowed)
            {
                endpoint.Health.Policy.Reset();
                Log.EjectionRefused(logger, service, endpoint.Name, reason, out_);
                return;
            }

            var penalty = Penalty(endpoint.Health.Ejections);
            var until = time.GetTimestamp() + (long)(penalty.TotalSeconds * time.TimestampFrequency);
            if (!endpoint.Health.TryEject(from, until, reason))
            {
                return;
            }

            endpoint.Health.Policy.Reset();
            endpoints.RefreshAvailability();
            telemetry.RecordEjection(owner?.MetricName ?? service, owner?.EndpointMetricName(endpoint) ?? endpoint.Name, reason);
            Log.Ejected(logger, service, endpoint.Name, reason, penalty);
        }
    }

    /// <summary>Base × 2^(ejections so far), jittered by ±20% so ejected endpoints do not return in step, and never above the maximum.</summary>
    internal TimeSpan Penalty(int previousEjections)
    {
        var options = Volatile.Read(ref _options);
        var factor = Math.Pow(2, Math.Min(previousEjections, 30));
        var jittered = options.BaseEjectionTime.TotalMilliseconds * factor * (0.8 + (0.4 * random()));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxEjectionTime.TotalMilliseconds));
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "Service '{Service}': endpoint {Endpoint} ejected ({Reason}) for {Penalty}.")]
        public static partial void Ejected(ILogger logger, string service, string endpoint, string reason, TimeSpan penalty);

        [LoggerMessage(11, LogLevel.Information, "Service '{Service}': endpoint {Endpoint} is being probed.")]
        public static partial void Probing(ILogger logger, string service, string endpoint);

        [LoggerMessage(12, LogLevel.Information, "Service '{Service}': endpoint {Endpoint} passed its probe and is back in service.")]
        public static partial void Revived(ILogger logger, string service, string endpoint);

        [LoggerMessage(13, LogLevel.Warning, "Service '{Service}': endpoint {Endpoint} would be ejected ({Reason}) but {Out} endpoints are out already; keeping it (panic threshold).")]
        public static partial void EjectionRefused(ILogger logger, string service, string endpoint, string reason, int @out);
    }
}
