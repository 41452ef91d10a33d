namespace Mesh.Testing;

/// <summary>
/// Waits for a condition that an asynchronous part (discovery, a reload) makes true, with a generous bound: 30 s, as the
/// suite runs its test assemblies side by side on two cores and a timer or a scrape may wait long for a thread.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int attempts = 600)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }
}
