using System.Globalization;

namespace Mesh.Timeouts;

/// <summary>
/// The headers that carry a deadline between services: Mesh's own <c>mesh-timeout-ms</c> (integer milliseconds
/// left) and gRPC's <c>grpc-timeout</c> (an integer of at most 8 digits and a unit: H, M, S, m, u, n).
/// </summary>
public static class DeadlineHeaders
{
    /// <summary>Mesh's deadline header: the caller's remaining budget in whole milliseconds.</summary>
    public const string MeshTimeout = "mesh-timeout-ms";

    /// <summary>gRPC's deadline header.</summary>
    public const string GrpcTimeout = "grpc-timeout";

    /// <summary>Parses a <c>mesh-timeout-ms</c> value; false for anything but a non-negative integer.</summary>
    public static bool TryParseMeshTimeout(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        if (long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= int.MaxValue)
        {
            timeout = TimeSpan.FromMilliseconds(ms);
            return true;
        }

        timeout = default;
        return false;
    }

    /// <summary>Parses a <c>grpc-timeout</c> value such as <c>100m</c> or <c>5S</c>.</summary>
    public static bool TryParseGrpcTimeout(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        value = value.Trim();
        if (value.Length is < 2 or > 9 ||
            !long.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        double? ticksPerUnit = value[^1] switch
        {
            'H' => TimeSpan.TicksPerHour,
            'M' => TimeSpan.TicksPerMinute,
            'S' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMillisecond,
            'u' => TimeSpan.TicksPerMicrosecond,
            'n' => 0.01,
            _ => null,
        };
        if (ticksPerUnit is not { } unit)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)(amount * unit));
        return true;
    }

    /// <summary>Formats a budget as a <c>grpc-timeout</c> value in milliseconds (at least 1 ms).</summary>
    public static string FormatGrpcTimeout(TimeSpan timeout) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Clamp((long)timeout.TotalMilliseconds, 1, 99_999_999)}m");

    /// <summary>Formats a budget as a <c>mesh-timeout-ms</c> value (whole milliseconds in [0, int.MaxValue], what <see cref="TryParseMeshTimeout"/> reads).</summary>
    public static string FormatMeshTimeout(TimeSpan timeout) =>
        Math.Clamp((long)timeout.TotalMilliseconds, 0, int.MaxValue).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads the deadline an incoming request carries, the tighter of <c>mesh-timeout-ms</c> and <c>grpc-timeout</c>;
    /// null when it carries none (or only malformed values, which are ignored).
    /// </summary>
    public static TimeSpan? Read(string? meshTimeout, string? grpcTimeout)
    {
        TimeSpan? result = null;
        if (meshTimeout is not null && TryParseMeshTimeout(meshTimeout, out var mesh))
        {
            result = mesh;
        }

        if (grpcTimeout is not null && TryParseGrpcTimeout(grpcTimeout, out var grpc) && (result is null || grpc < result))
        {
            result = grpc;
        }

        return result;
    }
}
