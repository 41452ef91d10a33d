#!/usr/bin/env python3
"""A loopback HTTP/1.1 backend for the soak, with seeded faults (standard library only).

    backend.py PORT MODE SEED [PROCESSED_FILE]
      healthy  every request gets 200
      flaky    a seeded 20% get 503, the rest 200
      chaos    a seeded 10% hang 2 s before a 200, another 10% get the connection closed with no response

A request body is checked against the client's x-body-sha header (the first 16 hex digits of its SHA-256): a
mismatch is counted. Each POST answered 200 (processed) is appended to PROCESSED_FILE as "<path> <key or ->", so
that run.sh can count POSTs processed more than once across the three backends.
"""
import hashlib
import json
import random
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, mode, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
processed_file = open(sys.argv[4], "a", buffering=1) if len(sys.argv) > 4 else None
rng = random.Random(seed)
lock = threading.Lock()
counts = {"requests": 0, "503": 0, "hang": 0, "close": 0, "bodies": 0, "body_mismatch": 0}


def draw():
    with lock:
        counts["requests"] += 1
        return rng.random()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the soak's own CSV is the record
        pass

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if body:
            with lock:
                counts["bodies"] += 1
                if hashlib.sha256(body).hexdigest()[:16] != self.headers.get("x-body-sha"):
                    counts["body_mismatch"] += 1
        r = draw()
        if mode == "flaky" and r < 0.2:
            return self._reply(503, b"flaky: seeded failure\n", "503")
        if mode == "chaos" and r < 0.1:
            with lock:
                counts["hang"] += 1
            time.sleep(2)
        elif mode == "chaos" and r < 0.2:
            with lock:
                counts["close"] += 1
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if self.command == "POST" and processed_file is not None:
            with lock:
                processed_file.write(f"{self.path} {self.headers.get('Idempotency-Key') or '-'}\n")
        self._reply(200, f"{mode} ok\n".encode(), None)

    def _reply(self, status, body, counter):
        if counter:
            with lock:
                counts[counter] += 1
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def stop(*_):
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, stop)
server = Server(("127.0.0.1", port), Handler)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
finally:
    print(json.dumps({"backend": mode, "port": port, **counts}), flush=True)
