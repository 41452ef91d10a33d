using Mesh.Endpoints;

namespace Mesh.Core.Tests.Endpoints;

public sealed class AttemptUrisTests
{
    [Fact]
    public void ReAimsThePathAndQuery_AtTheEndpoint_WithItsBasePath()
    {
        var root = new AttemptUris("http://10.0.0.5:8080");
        var based = new AttemptUris("http://10.0.0.6:9090/base");

        Assert.Equal("http://10.0.0.5:8080/api/orders?id=7", root.For(new Uri("http://orders/api/orders?id=7")).ToString());
        Assert.Equal("http://10.0.0.6:9090/base/api/orders?id=7", based.For(new Uri("http://orders/api/orders?id=7")).ToString());
    }

    [Fact]
    public void RepeatedPath_ReusesTheParsedUri()
    {
        var uris = new AttemptUris("http://10.0.0.5:8080");

        var first = uris.For(new Uri("http://orders/api/orders"));
        var second = uris.For(new Uri("http://orders/api/orders"));

        Assert.Same(first, second);
    }

    [Fact]
    public void ManyDistinctPaths_EachGetsItsOwnUri_EvenWhenTheyShareATableSlot()
    {
        var uris = new AttemptUris("http://10.0.0.5:8080");
        var paths = Enumerable.Range(0, 200).Select(i => $"/items/{i}?page={i % 7}").ToArray();

        // Twice over, so later rounds read entries written (and overwritten) by earlier ones.
        for (var round = 0; round < 2; round++)
        {
            foreach (var path in paths)
            {
                Assert.Equal("http://10.0.0.5:8080" + path, uris.For(new Uri("http://orders" + path)).ToString());
            }
        }
    }

    [Fact]
    public void LongOrRelativelyBuiltUris_AreStillCorrect()
    {
        var uris = new AttemptUris("http://10.0.0.5:8080");
        var longPath = "/search?q=" + new string('x', 1000);
        var combined = new Uri(new Uri("http://orders/v2/"), "items?id=1");

        Assert.Equal("http://10.0.0.5:8080" + longPath, uris.For(new Uri("http://orders" + longPath)).OriginalString);
        Assert.Equal("http://10.0.0.5:8080/v2/items?id=1", uris.For(combined).ToString());
        Assert.Equal("http://10.0.0.5:8080/v1/items?id=1", uris.For(new Uri(new Uri("http://orders/v1/"), "items?id=1")).ToString());
    }
}
