using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Tap;
using Mesh.Telemetry;
using Microsoft.Extensions.Logging;

namespace Mesh;

/// <summary>What every service of one host shares: the clock, randomness, telemetry, the tap and the named extensions.</summary>
/// <param name="Time">The clock every timestamp of the host is read from.</param>
/// <param name="Random">Uniform [0, 1) draws for jitter; seeded in tests.</param>
/// <param name="Telemetry">The <c>Mesh</c> meter and activity source.</param>
/// <param name="Tap">The live tap.</param>
/// <param name="Balancers">The load balancers configuration may name.</param>
/// <param name="AccrualPolicies">The failure accrual policies configuration may name.</param>
/// <param name="AccrualLogger">Where ejections and probes are logged.</param>
/// <param name="ServiceOf">The host's service of a name, made on first use: the backends of a traffic split.</param>
internal sealed record MeshServiceDependencies(
    TimeProvider Time,
    Func<double> Random,
    MeshTelemetry Telemetry,
    MeshTap Tap,
    LoadBalancerRegistry Balancers,
    FailureAccrualPolicyRegistry AccrualPolicies,
    ILogger AccrualLogger,
    Func<string, MeshService>? ServiceOf = null);
