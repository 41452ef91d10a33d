#!/usr/bin/env python3
"""The "backend" service: a plain Python HTTP server that knows nothing of Mesh.

GET / answers 200 "hello from backend #n", except that a seeded 20 % of requests fail with 503,
so that the caller's sidecar has something to retry. The seed makes every run fail the same requests.
Usage: backend.py [port] (default 9090, on 127.0.0.1 only).
"""
import http.server
import random
import sys
import threading

FAILURE_RATIO = 0.2
SEED = 7


class Backend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: do not hold the body back
    lock = threading.Lock()
    rng = random.Random(SEED)
    served = 0

    def do_GET(self):
        with Backend.lock:
            Backend.served += 1
            n = Backend.served
            fail = Backend.rng.random() < FAILURE_RATIO
        if fail:
            self.answer(503, f"backend: request #{n} failed (simulated 503)\n")
        else:
            self.answer(200, f"hello from backend #{n}\n")

    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # quiet: the sidecars' metrics tell the story


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9090
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Backend)
    server.daemon_threads = True
    print(f"backend: listening on 127.0.0.1:{port}, failing {FAILURE_RATIO:.0%} of requests (seed {SEED})", flush=True)
    server.serve_forever()
