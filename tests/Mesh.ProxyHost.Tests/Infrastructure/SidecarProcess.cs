using System.Diagnostics;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// Runs the sidecar binary as an operator would, for what only a process shows: its exit code and stderr. The binary is
/// the JIT build the tests are built with (<c>dotnet Mesh.ProxyHost.dll</c>), or a native executable when one is named
/// (the NativeAOT build: <see cref="NativeAot.NativeAotPublish"/>).
/// </summary>
public static class SidecarProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Every listener on a free port, so a test of a start-up failure changes only what it is about.</summary>
    public static readonly string[] FreePorts =
    [
        "--Mesh:Proxy:Outbound:Listen=127.0.0.1:0",
        "--Mesh:Proxy:Outbound:ListenHttp2=127.0.0.1:0",
        "--Mesh:Proxy:Inbound:Listen=127.0.0.1:0",
        "--Mesh:Admin:Listen=127.0.0.1:0",
        "--hostBuilder:reloadConfigOnChange=false",
    ];

    /// <summary>
    /// Runs the sidecar with <paramref name="args"/> until it exits (at most 2 minutes). With
    /// <paramref name="withoutPrivilegedPorts"/>, the capability to bind ports below 1024 is dropped (from the bounding
    /// set, with setpriv, when the test runs as root as CI does), so it meets the permission check an unprivileged
    /// sidecar meets. <paramref name="executable"/> names a native build to run instead of the JIT one.
    /// </summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, bool withoutPrivilegedPorts = false, string? executable = null)
    {
        var start = StartInfo(args, withoutPrivilegedPorts && Environment.UserName == "root", executable);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// How the sidecar's binary is started, its output redirected, in the binary's folder; with
    /// <paramref name="dropPrivilegedPorts"/>, under setpriv without the capability to bind ports below 1024; the native
    /// <paramref name="executable"/> if one is named, else <c>dotnet Mesh.ProxyHost.dll</c> from the tests' output.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, bool dropPrivilegedPorts = false, string? executable = null)
    {
        var binary = executable ?? Path.Combine(AppContext.BaseDirectory, "Mesh.ProxyHost.dll");
        Assert.True(File.Exists(binary), $"{binary} is missing");
        string[] command = executable is null ? [Command.Dotnet, binary] : [binary];
        var start = new ProcessStartInfo(dropPrivilegedPorts ? "setpriv" : command[0])
        {
            WorkingDirectory = Path.GetDirectoryName(binary),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dropPrivilegedPorts)
        {
            start.ArgumentList.Add("--bounding-set=-net_bind_service");
            start.ArgumentList.Add(command[0]);
        }

        foreach (var arg in command.Skip(1).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
