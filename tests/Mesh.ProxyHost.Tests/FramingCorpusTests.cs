using System.Collections.Concurrent;
using System.Text;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// The regression corpus of ambiguous or malformed request framing (Corpus/framing/*.http), each followed by a smuggled
/// second request: the sidecar answers with a 4xx (or closes the connection), the backend never receives the smuggled
/// request, and the sidecar keeps serving.
/// </summary>
public class FramingCorpusTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", "framing"), "*.http").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedFraming_IsRefused_AndNothingIsSmuggled(string name)
    {
        var paths = new ConcurrentQueue<string>();
        await using var backend = await TestBackend.StartAsync(async ctx =>
        {
            paths.Enqueue(ctx.Request.Path);
            using var sink = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(sink);
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        var bytes = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Corpus", "framing", name + ".http")));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, bytes, TimeSpan.FromSeconds(3));
        var status = RawHttp.Status(response);
        Assert.True(status is 0 or (>= 400 and < 500), $"{name}: got {status}");

        var next = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /after HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(next));
        Assert.DoesNotContain("/smuggled", paths);
    }
}
