namespace Mesh.Demo;

/// <summary>The last window of Mesh's metrics: per endpoint from <c>mesh.attempt.duration</c>, and the caller's view from <c>mesh.request.duration</c>.</summary>
internal sealed record MetricsSnapshot(TimeSpan Window, IReadOnlyList<WindowStats> Endpoints, WindowStats Client)
{
    public int TotalAttempts
    {
        get
        {
            var total = 0;
            foreach (var endpoint in Endpoints)
            {
                total += endpoint.Count;
            }

            return total;
        }
    }

    /// <summary>The stats of the endpoint on <paramref name="port"/>, or an empty row if it got no attempts.</summary>
    public WindowStats ForPort(int port)
    {
        foreach (var endpoint in Endpoints)
        {
            if (DemoBackend.PortOf(endpoint.Name) == port)
            {
                return endpoint;
            }
        }

        return new(string.Empty, 0, 0, 0, 0);
    }
}
