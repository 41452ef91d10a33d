using System.Text.Json;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Iptables;

/// <summary>Writes what <c>apply</c> and <c>remove</c> did: one <c>ok:</c> line per family (a note on stderr for one left alone), or the JSON report.</summary>
internal static class IptablesOutput
{
    public static async Task WriteAsync(CommandContext context, IptablesReport report)
    {
        if (context.Output == OutputFormat.Json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(report, CliJsonContext.Default.IptablesReport));
            return;
        }

        foreach (var family in report.Families)
        {
            await (family.Restore is null ? context.Error.WriteLineAsync($"note: {family.Summary}") : context.Out.WriteLineAsync($"ok: {family.Summary}"));
        }
    }
}
