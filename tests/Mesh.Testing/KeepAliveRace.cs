using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Mesh.Testing;

/// <summary>
/// The keep-alive race: a request sent on a pooled connection at the moment its server closes it as idle fails, and a
/// POST cannot then be retried safely. Drives calls that arrive about as often as the servers' idle timeout (2 s), so
/// that a client keeping connections longer meets the closes, GET and POST in turn, each POST with its own
/// <c>x-request-id</c> so the servers can tell a POST processed once from one processed twice.
/// </summary>
public static class KeepAliveRace
{
    /// <summary>How long the servers here keep an idle connection.</summary>
    public static readonly TimeSpan ServerKeepAlive = TimeSpan.FromSeconds(2);

    /// <summary>A Kestrel backend that closes connections idle for <see cref="ServerKeepAlive"/> and sends no Keep-Alive header (as Go's net/http does), counting each POST by its id.</summary>
    public static Task<TestBackend> StartKestrelAsync(ConcurrentDictionary<string, int> posts) =>
        TestBackend.StartAsync(
            async context =>
            {
                if (HttpMethods.IsPost(context.Request.Method))
                {
                    using var reader = new StreamReader(context.Request.Body);
                    await reader.ReadToEndAsync();
                    posts.AddOrUpdate(context.Request.Headers["x-request-id"].ToString(), 1, static (_, n) => n + 1);
                }

                await context.Response.WriteAsync("ok");
            },
            ServerKeepAlive);

    /// <summary>
    /// Sends <paramref name="calls"/> calls through <paramref name="send"/> (method, request id), each a pause after the
    /// last one's answer, drawn (seeded) from [<paramref name="pauseFrom"/>, <paramref name="pauseTo"/>]: around the
    /// moment the server closes the connection the last call left idle. Returns every failure seen.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(int calls, TimeSpan pauseFrom, TimeSpan pauseTo, Func<HttpMethod, string, Task<HttpResponseMessage>> send, int seed = 20261204)
    {
        var failures = new List<string>();
        var random = new Random(seed);
        for (var i = 0; i < calls; i++)
        {
            await Task.Delay(pauseFrom + ((pauseTo - pauseFrom) * random.NextDouble()));
            var method = i % 2 == 0 ? HttpMethod.Get : HttpMethod.Post;
            var id = $"{seed}-{i}";
            try
            {
                using var response = await send(method, id);
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"{id} {method}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{id} {method}: {ex.Message} ({ex.GetBaseException().Message})");
            }
        }

        return failures;
    }

    /// <summary>
    /// Runs the three backends' calls at once, each about when its server closes: "go" (2 s sharp) and "node" (2 s sharp,
    /// with "Keep-Alive: timeout=2") 30 calls each, "kestrel" (2 to 3 s) 24. Returns every failure.
    /// </summary>
    public static async Task<List<string>> RunAgainstAsync(Func<string, HttpMethod, string, Task<HttpResponseMessage>> send)
    {
        var runs = await Task.WhenAll(
            RunAsync(30, TimeSpan.FromMilliseconds(1985), TimeSpan.FromMilliseconds(2015), (m, id) => send("go", m, id), seed: 1),
            RunAsync(30, TimeSpan.FromMilliseconds(1985), TimeSpan.FromMilliseconds(2015), (m, id) => send("node", m, id), seed: 2),
            RunAsync(24, TimeSpan.FromMilliseconds(2000), TimeSpan.FromMilliseconds(3000), (m, id) => send("kestrel", m, id), seed: 3));
        return [.. runs.SelectMany(r => r)];
    }

    /// <summary>A relay in front of <paramref name="url"/> that delays the server's close by 40 ms on its way to the client.</summary>
    public static TcpFaultProxy SlowClosing(string url)
    {
        var uri = new Uri(url);
        return new TcpFaultProxy(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, uri.Port)) { Toxics = new Toxics { SlowClose = TimeSpan.FromMilliseconds(40) } };
    }

    /// <summary>
    /// A request of <paramref name="method"/> to <paramref name="uri"/>, with its id; a POST carries a streamed 100 KiB
    /// body, over Mesh's replay buffer (64 KiB), so that neither Mesh nor SocketsHttpHandler can send it again: a POST
    /// that meets a connection its server has closed fails, as an application's large upload would.
    /// </summary>
    public static HttpRequestMessage Request(HttpMethod method, Uri uri, string id)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("x-request-id", id);
        if (method == HttpMethod.Post)
        {
            request.Content = new StreamContent(new MemoryStream(new byte[100 * 1024]));
            request.Content.Headers.ContentLength = 100 * 1024;
        }

        return request;
    }

    /// <summary>
    /// The three backends, each behind a relay that delays its close by 40 ms: "go" (<see cref="IdleClosingServer"/>),
    /// "node" (<see cref="NodeBackend"/>) and "kestrel". <see cref="Urls"/> are the relays' addresses, by service name.
    /// </summary>
    public sealed class Backends : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, int> _kestrelPosts;
        private readonly TestBackend _kestrel;
        private readonly IdleClosingServer _go;
        private readonly NodeBackend _node;
        private readonly TcpFaultProxy[] _links;

        private Backends(ConcurrentDictionary<string, int> kestrelPosts, TestBackend kestrel, IdleClosingServer go, NodeBackend node)
        {
            _kestrelPosts = kestrelPosts;
            _kestrel = kestrel;
            _go = go;
            _node = node;
            _links = [SlowClosing(go.Url), SlowClosing(node.Url), SlowClosing(kestrel.Url)];
            Urls = new Dictionary<string, string> { ["go"] = _links[0].Url, ["node"] = _links[1].Url, ["kestrel"] = _links[2].Url };
        }

        public IReadOnlyDictionary<string, string> Urls { get; }

        public static async Task<Backends> StartAsync()
        {
            var posts = new ConcurrentDictionary<string, int>();
            var node = await NodeBackend.StartAsync(ServerKeepAlive);
            Assert.True(node is not null, "node is not installed (test.sh installs nodejs)");
            return new Backends(posts, await StartKestrelAsync(posts), new IdleClosingServer(ServerKeepAlive), node);
        }

        /// <summary>Asserts that every POST sent (15, 15 and 12) was processed exactly once.</summary>
        public async Task AssertEachPostProcessedOnceAsync()
        {
            Assert.Equal((15, 0), await _node.PostsAsync());
            Assert.Equal(15, _go.Posts.Count);
            Assert.All(_go.Posts.Values, n => Assert.Equal(1, n));
            Assert.Equal(12, _kestrelPosts.Count);
            Assert.All(_kestrelPosts.Values, n => Assert.Equal(1, n));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var link in _links)
            {
                await link.DisposeAsync();
            }

            await _kestrel.DisposeAsync();
            await _go.DisposeAsync();
            await _node.DisposeAsync();
        }
    }
}
