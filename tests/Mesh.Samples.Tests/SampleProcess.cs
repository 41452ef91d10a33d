using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mesh.Samples.Tests;

/// <summary>
/// One of the sample's services run as its own process (<c>dotnet Service.dll</c>), configured through its environment
/// as Aspire's app host configures it, on a port the OS picks: its URL is read from Kestrel's "Now listening on" line.
/// </summary>
public sealed partial class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SampleProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<SampleProcess> StartAsync(string service, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, service + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var start = Command.StartInfo(Command.Dotnet, [dll], AppContext.BaseDirectory, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
                if (ListeningOn().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult(match.Groups[1].Value);
                }
            }
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"{service} exited: {string.Join('\n', output)}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new SampleProcess(process, await listening.Task.WaitAsync(TimeSpan.FromMinutes(2)));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
