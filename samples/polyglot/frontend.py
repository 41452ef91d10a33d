#!/usr/bin/env python3
"""The "frontend" service: a plain Python HTTP server that calls "backend" through its own sidecar.

GET / calls the backend as http://127.0.0.1:<sidecar outbound port>/ with "Host: backend"; the sidecar
picks a backend endpoint, retries failures, applies deadlines and measures the call. The frontend has no
retry logic of its own: whatever the sidecar finally answers is what it reports.
Usage: frontend.py [port] [sidecar outbound port] (defaults 8080 and 4140, on 127.0.0.1 only).
"""
import http.server
import sys
import urllib.error
import urllib.request

# No proxies from the environment (http_proxy, ...): the call goes to the sidecar and nowhere else.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Frontend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: do not hold the body back
    sidecar = "http://127.0.0.1:4140"

    def do_GET(self):
        if self.path != "/":
            self.answer(404, "frontend: only GET / is served\n")
            return
        request = urllib.request.Request(Frontend.sidecar + "/", headers={"Host": "backend"})
        try:
            with OPENER.open(request, timeout=10) as response:
                said = response.read().decode().strip()
            self.answer(200, f"frontend: the backend said '{said}'\n")
        except urllib.error.HTTPError as error:
            # A status from the backend (after the sidecar's retries) or from the sidecar itself (mesh-proxy-error).
            reason = error.headers.get("mesh-proxy-error") or "from the backend"
            self.answer(502, f"frontend: the backend call failed with {error.code} ({reason})\n")
        except OSError as error:
            self.answer(502, f"frontend: could not reach the sidecar: {error}\n")

    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    outbound = int(sys.argv[2]) if len(sys.argv) > 2 else 4140
    Frontend.sidecar = f"http://127.0.0.1:{outbound}"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Frontend)
    server.daemon_threads = True
    print(f"frontend: listening on 127.0.0.1:{port}, calling 'backend' through {Frontend.sidecar}", flush=True)
    server.serve_forever()
