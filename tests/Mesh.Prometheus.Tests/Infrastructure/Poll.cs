namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>
/// Reads until what it reads is done, with a generous bound, and returns the last reading either way, so that the
/// test's assertion on it shows what was expected and what came (Eventually only says that it timed out).
/// </summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, int attempts = 600)
    {
        var value = await read();
        for (var i = 1; i < attempts && !done(value); i++)
        {
            await Task.Delay(100);
            value = await read();
        }

        return value;
    }
}
