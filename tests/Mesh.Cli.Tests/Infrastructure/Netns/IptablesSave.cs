using System.Text.RegularExpressions;
using Mesh.MultiHost.Tests.Infrastructure;

namespace Mesh.Cli.Tests.Infrastructure.Netns;

/// <summary>Every table of a lab host, as its <c>-save</c> binary writes them, without what changes between two runs (the comment lines' times, counters).</summary>
public static partial class IptablesSave
{
    public static async Task<string> OfAsync(NetworkLab lab, string host, string save)
    {
        var result = await lab.ExecAsync(host, save, []);
        Assert.True(result.Ok, $"{save} failed: {result.Error}");
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => Counters().Replace(line, "[0:0]"));
        return string.Join('\n', lines);
    }

    /// <summary>Runs one iptables command in a lab host (adding a rule of the test's own), failing the test if it fails.</summary>
    public static async Task RunAsync(NetworkLab lab, string host, string binary, params string[] args)
    {
        var result = await lab.ExecAsync(host, binary, args);
        Assert.True(result.Ok, $"{binary} {string.Join(' ', args)} failed: {result.Error}");
    }

    [GeneratedRegex(@"\[\d+:\d+\]")]
    private static partial Regex Counters();
}
