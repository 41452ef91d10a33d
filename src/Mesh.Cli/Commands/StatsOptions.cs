using Mesh.Cli.Options;

namespace Mesh.Cli.Commands;

/// <summary>The <c>--window</c> option <c>stat</c> and <c>top</c> share; the admin endpoint keeps at most a minute.</summary>
internal static class StatsOptions
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaxWindow = TimeSpan.FromMinutes(1);

    public static readonly OptionSpec Window = new("window", "duration", "The window to report over: 10s (default), 30s, 1m (at most).");

    public static TimeSpan GetWindow(ParsedOptions options) => options.Duration(Window.Name, DefaultWindow, MaxWindow);
}
