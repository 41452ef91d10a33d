using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

public class CliAppTests
{
    [Fact]
    public async Task UnknownCommand_ExitsTwo_WithUsageOnStderr()
    {
        var result = await CliRunner.RunAsync("frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("unknown command 'frobnicate'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Usage: mesh", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_ExitsTwo_WithUsageOnStderr()
    {
        var result = await CliRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage: mesh", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo_NamingIt()
    {
        var result = await CliRunner.RunAsync("stat", "--frequency", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown option '--frequency' for 'stat'", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("tap", "--help")]
    public async Task Help_PrintsUsage_AndExitsZero(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage: mesh", result.Out, StringComparison.Ordinal);
    }
}
