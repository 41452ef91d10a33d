using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// <c>mesh_request_bytes_total</c> and <c>mesh_response_bytes_total</c> of a sidecar, per service and direction, for
/// uploads and downloads made with curl through it to a real Kestrel backend.
/// </summary>
/// <remarks>Serial: the test reads counts off <c>/metrics</c>, to which every sidecar in the process contributes.</remarks>
[Collection(SerialCollection.Name)]
public class ByteCountTests
{
    [Fact]
    public async Task UploadsAndDownloadsThroughTheSidecar_AreCountedPerServiceEachWay()
    {
        await using var backend = await TestBackend.StartAsync(SizedBodies.Handler());
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        var upload = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(upload, new byte[200 * 1024]);
            var url = $"http://127.0.0.1:{sidecar.OutboundPort}";

            // 200 KiB with Content-Length (over the replay cap: counted as it passes), answered with 300 KiB chunked; a
            // chunked upload of 5 KiB (replayable, buffered as it is sent); a plain GET of 7 bytes.
            Assert.Equal("204800", await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%header{x-read}", "-H", "Host: orders", "--data-binary", $"@{upload}", $"{url}/up?size=307200"));
            Assert.Equal("5120", await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%header{x-read}", "-H", "Host: orders", "-H", "Transfer-Encoding: chunked", "--data-binary", new string('x', 5120), $"{url}/chunked?size=0"));
            Assert.Equal(7, (await Curl.RunAsync("-s", "-H", "Host: orders", $"{url}/get?size=7")).Length);

            string[] lines = [];
            await Eventually.TrueAsync(
                async () =>
                {
                    var text = await sidecar.GetAdminAsync("/metrics");
                    lines = [.. Scrape.Lines(text, "mesh_request_bytes_total{"), .. Scrape.Lines(text, "mesh_response_bytes_total{")];
                    return lines.Any(line => line.StartsWith("mesh_response_bytes_total{", StringComparison.Ordinal) && line.EndsWith($" {(300 * 1024) + 7}", StringComparison.Ordinal));
                },
                "/metrics counts the bytes of all three requests");
            Assert.Equal(2, lines.Length);
            Assert.All(lines, line => Assert.Contains("mesh_direction=\"outbound\",mesh_service=\"orders\"", line, StringComparison.Ordinal));
            Assert.EndsWith($" {(200 * 1024) + 5120}", lines[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(upload);
        }
    }
}
