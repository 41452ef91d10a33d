namespace Mesh.Demo;

/// <summary>How one demo backend answers <c>GET /work</c>: after a fixed delay, with a seeded share of 503s.</summary>
internal sealed class BackendBehavior(string role, TimeSpan delay, double failureRatio, int seed)
{
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);

    public string Role { get; } = role;

    public async Task HandleAsync(HttpContext context)
    {
        await Task.Delay(delay, context.RequestAborted);
        context.Response.StatusCode = NextFails() ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        await context.Response.WriteAsync(Role, context.RequestAborted);
    }

    private bool NextFails()
    {
        if (failureRatio <= 0)
        {
            return false;
        }

        // Random is not thread-safe, and Kestrel serves requests concurrently.
        lock (_gate)
        {
            return _random.NextDouble() < failureRatio;
        }
    }
}
