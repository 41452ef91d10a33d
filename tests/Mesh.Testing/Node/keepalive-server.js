// A Node.js http server as applications run it, with a short keep-alive: it closes a connection idle for
// KEEPALIVE_MS and says so in every response ("Keep-Alive: timeout=N", Node's default behaviour). It counts the
// POST bodies it receives by their x-request-id, so a test can tell "processed once" from "processed twice".
// Listens on 127.0.0.1 only, on a port the OS picks, and prints it as the first line of stdout.
const http = require("http");

const keepAliveMs = Number(process.argv[2] || 2000);
const seen = new Map();

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/posts") {
    const counts = [...seen.values()];
    res.end(JSON.stringify({ posts: counts.length, duplicates: counts.filter((c) => c > 1).length }));
    return;
  }
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    if (req.method === "POST") {
      const id = req.headers["x-request-id"] || "";
      seen.set(id, (seen.get(id) || 0) + 1);
    }
    res.end("ok");
  });
});
server.keepAliveTimeout = keepAliveMs;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
