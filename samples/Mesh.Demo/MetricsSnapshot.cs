namespace Mesh.Demo;

/// <summary>
/// The last window (or the whole run) of Mesh's metrics: per endpoint from <c>mesh.attempt.duration</c>, the callers'
/// view from <c>mesh.request.duration</c>, retries and ejections from their counters (all three from the in-process client
/// and the sidecar together), and the <c>mesh.endpoints</c> gauge of each.
/// </summary>
internal sealed record MetricsSnapshot(
    TimeSpan Window,
    IReadOnlyList<WindowStats> Endpoints,
    WindowStats Client,
    ResilienceSnapshot Resilience,
    EndpointStateCounts EndpointStates,
    EndpointStateCounts SidecarEndpointStates)
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

    public int SuccessfulAttempts
    {
        get
        {
            var total = 0;
            foreach (var endpoint in Endpoints)
            {
                total += endpoint.Successes;
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
