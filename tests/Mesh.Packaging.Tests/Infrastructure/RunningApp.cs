using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>
/// An ASP.NET Core app run as its own process (<c>dotnet app.dll --urls http://127.0.0.1:0</c>): started, its address
/// read from what it logs ("Now listening on: ..."), killed on dispose.
/// </summary>
public sealed partial class RunningApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private RunningApp(Process process) => _process = process;

    public string Url { get; private set; } = "";

    /// <summary>Everything the app wrote so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<RunningApp> StartAsync(string dll, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = Command.StartInfo(Command.Dotnet, [dll, "--urls", "http://127.0.0.1:0", .. args], Path.GetDirectoryName(dll)!, null);
        var app = new RunningApp(Process.Start(start) ?? throw new InvalidOperationException($"{dll} did not start"));
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null)
            {
                listening.TrySetException(new InvalidOperationException($"{dll} ended before it listened:\n{app.Log}"));
                return;
            }

            lock (app._log)
            {
                app._log.AppendLine(line);
            }

            if (Listening().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        }

        app._process.OutputDataReceived += (_, e) => Read(e.Data);
        app._process.ErrorDataReceived += (_, e) =>
        {
            lock (app._log)
            {
                app._log.AppendLine(e.Data);
            }
        };
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            app.Url = await listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await app.DisposeAsync();
            throw new TimeoutException($"{dll} did not listen within {timeout}:\n{app.Log}");
        }

        return app;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
