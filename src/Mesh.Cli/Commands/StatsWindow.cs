using System.CommandLine;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands;

/// <summary>The <c>--window</c> option <c>stat</c> and <c>top</c> share; the admin endpoint keeps at most a minute.</summary>
internal static class StatsWindow
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Max = TimeSpan.FromMinutes(1);

    public static Option<TimeSpan?> Create() =>
        TypedOptions.Duration("--window", "The window to report over: 10s (default), 30s, 1m (at most).", Max);
}
