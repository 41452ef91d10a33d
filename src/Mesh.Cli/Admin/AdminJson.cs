using System.Text.Json;
using Mesh.Admin;
using Mesh.Tap;

namespace Mesh.Cli.Admin;

/// <summary>
/// Reads what the admin endpoint answers with the endpoints' own contract (<see cref="MeshAdminJsonContext"/>):
/// fields this CLI does not know are skipped, so a newer sidecar does not break it.
/// </summary>
internal static class AdminJson
{
    /// <summary>The document of <c>GET /stats</c>; anything else is an <see cref="AdminException"/> saying what was wrong.</summary>
    public static StatsDocument ParseStats(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, MeshAdminJsonContext.Default.StatsDocument)
                ?? throw new JsonException("the answer was null");
        }
        catch (JsonException ex)
        {
            throw new AdminException($"the admin endpoint did not answer with Mesh stats: {ex.Message}", ex);
        }
    }

    /// <summary>One line of <c>GET /tap</c>, or null when it is not an event this CLI understands.</summary>
    public static TapEvent? ParseTap(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, MeshAdminJsonContext.Default.TapEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
