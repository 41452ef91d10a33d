"""Clients for the transparent-sidecar lab: they dial the servers' real addresses and know nothing of the mesh.

Usage: lab_clients.py requests URL COUNT          GETs with a requests.Session; prints {"ok": n, "statuses": {...}}
       lab_clients.py grpc HOST:PORT              a unary call and a server stream; prints their replies
       lab_clients.py banner HOST PORT            reads the banner, sends a line, reads the echo; prints both
       lab_clients.py blob HOST PORT SIZE         sends SIZE bytes and half-closes while reading; checks both hashes
       lab_clients.py finfirst HOST PORT SIZE TAIL
                                                  sends 64 KiB, reads the server's SIZE bytes to its FIN, then sends
                                                  TAIL bytes more and half-closes; prints the id and hash of all it sent
"""
import hashlib
import json
import random
import socket
import sys
import threading


def run_requests(url, count):
    import requests

    statuses = {}
    ok = 0
    with requests.Session() as session:
        for _ in range(count):
            try:
                response = session.get(url, timeout=10)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                ok += response.status_code == 200
            except requests.RequestException as error:
                statuses[type(error).__name__] = statuses.get(type(error).__name__, 0) + 1
    print(json.dumps({"ok": ok, "statuses": statuses}))


def run_grpc(target):
    import grpc

    with grpc.insecure_channel(target, options=[("grpc.enable_http_proxy", 0)]) as channel:
        unary = channel.unary_unary("/lab.Echo/Unary")(b"hi", timeout=20)
        stream = list(channel.unary_stream("/lab.Echo/Stream")(b"hi", timeout=20))
    print(unary.decode())
    print(" ".join(part.decode() for part in stream))


def run_banner(host, port):
    with socket.create_connection((host, port), timeout=20) as sock:
        reader = sock.makefile("rb")
        banner = reader.readline().decode().strip()
        sock.sendall(b"hello\r\n")
        echo = reader.readline().decode().strip()
    print(banner)
    print(echo)


def run_blob(host, port, size):
    upload = random.Random(11).randbytes(size)
    expected = random.Random(7).randbytes(size)
    received = bytearray()
    with socket.create_connection((host, port), timeout=60) as sock:
        def send():
            sock.sendall(upload)
            sock.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send)
        sender.start()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        sender.join()
    print(json.dumps({
        "received": len(received),
        "download_identical": hashlib.sha256(bytes(received[:size])).hexdigest() == hashlib.sha256(expected).hexdigest(),
        "upload_identical": bytes(received[size:]) == hashlib.sha256(upload).digest(),
    }))


def run_fin_first(host, port, size, tail_size):
    head = bytes([0]) + random.Random().randbytes(65535)
    tail = random.Random(13).randbytes(tail_size)
    received = bytearray()
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.sendall(head)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        # The server's side is shut: what is sent now must still reach it.
        sock.sendall(tail)
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1)
    print(json.dumps({
        "id": head[:8].hex(),
        "sent_sha256": hashlib.sha256(head + tail).hexdigest(),
        "download_identical": bytes(received) == random.Random(5).randbytes(size),
    }))


def main():
    kind = sys.argv[1]
    if kind == "requests":
        run_requests(sys.argv[2], int(sys.argv[3]))
    elif kind == "grpc":
        run_grpc(sys.argv[2])
    elif kind == "banner":
        run_banner(sys.argv[2], int(sys.argv[3]))
    elif kind == "blob":
        run_blob(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif kind == "finfirst":
        run_fin_first(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))


if __name__ == "__main__":
    main()
