using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.MultiHost.Tests.Infrastructure;

/// <summary>
/// A long-running process inside a network namespace (<c>ip netns exec NS program args</c>; ip execs the program, so
/// the process is the program itself). Its output is drained and the last lines kept for failure messages; it is
/// killed on dispose.
/// </summary>
public sealed class NamespacedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private NamespacedProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Gets the process's last lines of output.</summary>
    public string Tail => string.Join('\n', _tail);

    public static NamespacedProcess Start(string name, string ns, string program, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", ns, program, .. args])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var started = new NamespacedProcess(name, process);
        process.OutputDataReceived += (_, e) => started.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > 40 && _tail.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or refusing to die within 10 s: the namespace is deleted after this either way.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
