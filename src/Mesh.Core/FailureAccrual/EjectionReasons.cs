namespace Mesh.FailureAccrual;

/// <summary>The values of the <c>mesh.ejection.reason</c> tag.</summary>
public static class EjectionReasons
{
    /// <summary>Too many failures in a row.</summary>
    public const string ConsecutiveFailures = "consecutive_failures";

    /// <summary>The success rate over the window fell below the minimum.</summary>
    public const string SuccessRate = "success_rate";

    /// <summary>The endpoint failed its probe after a penalty.</summary>
    public const string ProbeFailed = "probe_failed";
}
