"""A gRPC caller that only knows proxies (Debian's python3-grpcio): with http_proxy set, gRPC core tunnels with CONNECT.

Usage: http_proxy=http://127.0.0.1:PORT grpc_proxy_client.py TARGET COUNT
Calls /mesh.tests.Echo/Echo COUNT times on a channel to TARGET (e.g. echo:50051, a service only the sidecar knows) and
prints each call's status code name on one line, separated by spaces.
"""
import sys

import grpc


def main():
    target, count = sys.argv[1], int(sys.argv[2])
    results = []
    with grpc.insecure_channel(target) as channel:
        echo = channel.unary_unary("/mesh.tests.Echo/Echo")
        for _ in range(count):
            try:
                echo(b"\x0a\x02py", timeout=20)
                results.append("OK")
            except grpc.RpcError as error:
                results.append(f"{error.code().name}:{error.details()}")
    print(" ".join(results))


if __name__ == "__main__":
    main()
