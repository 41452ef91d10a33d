using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

public class CliAppTests
{
    private const string ExitCodesLine = "Exit codes: 0 ok, 1 admin endpoint unreachable or answered an error, 2 usage error, 3 configuration errors (check), 4 iptables missing or failed (iptables), 5 input not YAML or not injectable (inject), 6 identity files unusable (identity) or the identity expired (check).";

    // An admin address nothing answers: usage errors must be found before anything is asked.
    private static string Nowhere() => $"127.0.0.1:{FreePort.Get()}";

    [Fact]
    public async Task UnknownCommand_ExitsTwo_WithUsageOnStderr()
    {
        var result = await CliRunner.RunAsync("frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("unknown command 'frobnicate'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Usage:\n  mesh [command] [options]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_ExitsTwo_WithUsageOnStderr()
    {
        var result = await CliRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("Usage:\n  mesh [command] [options]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo_NamingIt()
    {
        var result = await CliRunner.RunAsync("stat", "--frequency", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown option '--frequency' for 'stat'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACommandsOption_BeforeTheCommand_ExitsTwo_SayingWhereOptionsGo()
    {
        var result = await CliRunner.RunAsync("--window", "10s", "stat");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("mesh: unknown option '--window' (options go after the command)", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("tap", "--help")]
    public async Task Help_PrintsUsage_AndExitsZero(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:\n  mesh ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheCommands_TheGlobalOptions_AndTheExitCodes()
    {
        var result = await CliRunner.RunAsync("-h");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        foreach (var command in new[] { "stat", "top", "tap", "check", "iptables", "inject" })
        {
            Assert.Contains(result.OutLines, l => l.StartsWith(command + " ", StringComparison.Ordinal));
        }

        Assert.Contains("--admin <address>", result.Out, StringComparison.Ordinal);
        Assert.Contains("-o, --output <table|json>", result.Out, StringComparison.Ordinal);
        Assert.Contains(ExitCodesLine, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpForACommand_ListsItsOptions_AndTheGlobalOnes()
    {
        var result = await CliRunner.RunAsync("tap", "--help");

        Assert.Contains("mesh tap [options]", result.Out, StringComparison.Ordinal);
        foreach (var option in new[] { "--service <name>", "--direction <outbound|inbound>", "--status <code|class>", "--min-ms <ms>", "--limit <n>", "--admin <address>", "--output <table|json>", "--json" })
        {
            Assert.Contains(option, result.Out, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--window", result.Out, StringComparison.Ordinal);
        Assert.Contains(ExitCodesLine, result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mesh: --window must be a duration such as 500ms, 10s or 1m (greater than zero, at most 1m), was '0s'", "stat", "--window", "0s")]
    [InlineData("mesh: --interval must be a duration such as 500ms, 10s or 1m (greater than zero), was 'soon'", "top", "--interval", "soon")]
    [InlineData("mesh: --iterations must be a whole number of at least 1, was '0'", "top", "--iterations", "0")]
    [InlineData("mesh: --direction must be outbound or inbound, was 'sideways'", "tap", "--direction", "sideways")]
    [InlineData("mesh: --min-ms must be a number of at least 0, was '-1'", "tap", "--min-ms", "-1")]
    [InlineData("mesh: --rate must be a whole number of at least 1, was '1.5'", "tap", "--rate", "1.5")]
    [InlineData("mesh: --service needs a value: --service <name>", "tap", "--service", " ")]
    [InlineData("mesh: --admin must be host:port, http://host:port or http://host:port/prefix, was '127.0.0.1'", "stat", "--admin", "127.0.0.1")]
    [InlineData("mesh: --output must be table or json, was 'yaml'", "check", "--output", "yaml")]
    [InlineData("mesh: --json and --output table contradict each other: give one", "stat", "--json", "--output", "table")]
    [InlineData("mesh: Required argument missing for option: '--limit'", "tap", "--limit")]
    public async Task AMalformedValue_ExitsTwo_NamingTheOptionAndTheValue_WithTheCommandsHelpOnStderr(string message, params string[] args)
    {
        var result = await CliRunner.RunAsync(args.Contains("--admin") ? args : [.. args, "--admin=" + Nowhere()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal(message, result.Error.Split('\n')[0]);
        Assert.Contains($"mesh {args[0]} [options]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryMistake_IsReported_NotOnlyTheFirst()
    {
        var result = await CliRunner.RunAsync("tap", "--status", "6xx", "--limit", "none", "--admin", Nowhere());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("mesh: --status must be a code (503) or a class (5xx), was '6xx'", result.Error, StringComparison.Ordinal);
        Assert.Contains("mesh: --limit must be a whole number of at least 1, was 'none'", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--admin", "{0}", "stat")]
    [InlineData("stat", "--admin", "{0}")]
    [InlineData("stat", "--admin={0}")]
    public async Task Admin_BeforeOrAfterTheCommand_IsWhereTheCommandGoes(params string[] args)
    {
        var admin = Nowhere();

        var result = await CliRunner.RunAsync([.. args.Select(a => string.Format(System.Globalization.CultureInfo.InvariantCulture, a, admin))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot reach the Mesh admin endpoint at http://{admin}/stats", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[suggest:2]", "st", "stat")]
    [InlineData("[suggest:2]", "ch", "check")]
    [InlineData("[suggest:16]", "tap --direction ", "inbound\noutbound")]
    [InlineData("[suggest:15]", "stat --output ", "json\ntable")]
    [InlineData("[suggest:9]", "tap --lim", "--limit")]
    public async Task SuggestDirective_CompletesCommandsOptionsAndValues_ForDotnetSuggest(string directive, string line, string expected)
    {
        var result = await CliRunner.RunAsync(directive, line);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.Out.TrimEnd().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SuggestDirective_AfterACommand_OffersItsOptionsAndTheGlobalOnes()
    {
        var result = await CliRunner.RunAsync("[suggest:4]", "tap ");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--status", result.OutLines);
        Assert.Contains("--admin", result.OutLines);
        Assert.Contains("--output", result.OutLines);
        Assert.DoesNotContain("--window", result.OutLines);
    }

    [Fact]
    public async Task Version_PrintsTheVersion_AndExitsZero()
    {
        var result = await CliRunner.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Out);
    }
}
