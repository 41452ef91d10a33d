"""Servers for the transparent-sidecar lab: unchanged programs that know nothing of the mesh. Each listens on every
address, IPv4 and IPv6 (one dual-stack socket).

Usage: lab_servers.py http PORT NAME [fail-every-other]   HTTP/1.1, answers NAME (every other request 503 if asked)
       lab_servers.py banner PORT                          server speaks first: a banner line, then echoes one line
       lab_servers.py blob PORT SIZE                       sends SIZE seeded bytes while reading to the client's FIN,
                                                           then the SHA-256 of what it read, then closes
       lab_servers.py grpc PORT                            gRPC: /lab.Echo/Unary echoes, /lab.Echo/Stream replies 5 times
       lab_servers.py finfirst PORT SIZE FILE              sends SIZE seeded bytes and shuts its side down at once (its
                                                           FIN first), then reads to the client's FIN and appends
                                                           "ID SHA256" to FILE (ID: the hex of the first 8 bytes read)
"""
import hashlib
import http.server
import random
import socket
import socketserver
import sys
import threading
import time


def http_server(port, name, flaky):
    lock = threading.Lock()
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self):
            with lock:
                count[0] += 1
                fail = flaky and count[0] % 2 == 0
            body = (b"unavailable" if fail else name.encode()) + b"\n"
            self.send_response(503 if fail else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    HttpServer(("::", port), Handler).serve_forever()


class DualStack:
    """Binds [::] with IPV6_V6ONLY off: IPv6, and IPv4 as mapped addresses."""

    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class HttpServer(DualStack, http.server.ThreadingHTTPServer):
    pass


class Threaded(DualStack, socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def policy_server(port):
    lock = threading.Lock()
    counts = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def answer(self):
            length = int(self.headers.get("Content-Length", "0"))
            if length:
                self.rfile.read(length)
            if self.path == "/slow":
                time.sleep(20)
                status, body = 200, b"slow\n"
            else:
                with lock:
                    key = (self.command, self.path)
                    counts[key] = counts.get(key, 0) + 1
                    count = counts[key]
                status, body = (503 if count == 1 else 200), b"%d\n" % count
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = answer
        do_POST = answer

        def log_message(self, *args):
            pass

    HttpServer(("::", port), Handler).serve_forever()


def banner_server(port):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"220 banner ready\r\n")
            self.wfile.flush()
            line = self.rfile.readline()
            if line:
                self.wfile.write(b"echo " + line)

    Threaded(("::", port), Handler).serve_forever()


def blob(size):
    return random.Random(7).randbytes(size)


def blob_server(port, size):
    data = blob(size)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            sender = threading.Thread(target=sock.sendall, args=(data,))
            sender.start()
            digest = hashlib.sha256()
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                digest.update(chunk)
            sender.join()
            sock.sendall(digest.digest())
            sock.shutdown(socket.SHUT_RDWR)

    Threaded(("::", port), Handler).serve_forever()


def fin_first_server(port, size, report):
    data = random.Random(5).randbytes(size)
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            read = bytearray()
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                read += chunk
            with lock, open(report, "a") as out:
                out.write(f"{bytes(read[:8]).hex()} {hashlib.sha256(read).hexdigest()}\n")

    Threaded(("::", port), Handler).serve_forever()


def grpc_server(port):
    from concurrent import futures

    import grpc

    def unary(request, context):
        return b"unary:" + request

    def stream(request, context):
        for i in range(5):
            yield b"stream:%d:" % i + request

    handler = grpc.method_handlers_generic_handler("lab.Echo", {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "Stream": grpc.unary_stream_rpc_method_handler(stream),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"[::]:{port}")
    server.start()
    server.wait_for_termination()


def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "http":
        http_server(port, sys.argv[3], len(sys.argv) > 4)
    elif kind == "policy":
        policy_server(port)
    elif kind == "banner":
        banner_server(port)
    elif kind == "blob":
        blob_server(port, int(sys.argv[3]))
    elif kind == "grpc":
        grpc_server(port)
    elif kind == "finfirst":
        fin_first_server(port, int(sys.argv[3]), sys.argv[4])


if __name__ == "__main__":
    main()
