// A Node caller that only knows proxies: undici's ProxyAgent with its default settings, which tunnels with CONNECT.
// Usage: NODE_PATH=.../node_modules node undici_proxy_client.js PROXY URL COUNT
// Fetches URL COUNT times through PROXY, one line per response: "status body".
const { ProxyAgent, fetch } = require('undici');

async function main() {
  const [proxy, url, count] = process.argv.slice(2);
  const dispatcher = new ProxyAgent(proxy);
  for (let i = 0; i < Number(count); i++) {
    const response = await fetch(url, { dispatcher });
    console.log(`${response.status} ${(await response.text()).trim()}`);
  }
  await dispatcher.close();
}

main().catch((error) => {
  console.error(error, error.cause);
  process.exit(1);
});
