namespace Mesh.Cli;

/// <summary>The process entry point: wires Ctrl-C to cancellation and runs <see cref="CliApp"/> on the real console.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C ends the command gracefully (top and tap exit 0); a second one kills the process.
            if (!interrupted.IsCancellationRequested)
            {
                e.Cancel = true;
                interrupted.Cancel();
            }
        };

        return await CliApp.RunAsync(args, Console.In, Console.Out, Console.Error, interrupted.Token);
    }
}
