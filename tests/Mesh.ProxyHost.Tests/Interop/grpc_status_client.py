"""A gRPC caller written by others (Debian's python3-grpcio) calling through the sidecar.

Usage: grpc_status_client.py PORT AUTHORITY DELAY_MS [TIMEOUT_S]
Calls /mesh.tests.Echo/Echo once with the sidecar's cleartext HTTP/2 port as the channel's target and AUTHORITY as
its :authority, and prints one line: the status code's name, the mesh-proxy-error metadata (or -) and the details.
"""
import sys

import grpc


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    port, authority, delay_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else None
    # EchoRequest { text = "py" (field 1), delay_ms (field 3) }: written by hand, no protoc needed.
    request = b"\x0a\x02py" + (b"\x18" + varint(delay_ms) if delay_ms else b"")
    options = [("grpc.default_authority", authority), ("grpc.enable_http_proxy", 0)]
    with grpc.insecure_channel(f"127.0.0.1:{port}", options=options) as channel:
        echo = channel.unary_unary("/mesh.tests.Echo/Echo")
        try:
            echo(request, timeout=timeout)
            print("OK - -")
        except grpc.RpcError as error:
            reason = dict(error.trailing_metadata() or ()).get("mesh-proxy-error", "-")
            print(error.code().name, reason, error.details())


if __name__ == "__main__":
    main()
