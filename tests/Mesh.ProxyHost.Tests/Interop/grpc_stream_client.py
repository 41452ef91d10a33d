"""A gRPC caller written by others (Debian's python3-grpcio) making server-streaming calls through the sidecar.

Usage: grpc_stream_client.py PORT AUTHORITY STATUS [STATUS ...]
For each STATUS, calls /mesh.tests.Echo/Count for one reply, after which the server ends the stream with that status
in its trailers, and prints one line: the replies read and the status code's name as grpcio reports it.
"""
import sys

import grpc


def main():
    port, authority, statuses = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
    options = [("grpc.default_authority", authority), ("grpc.enable_http_proxy", 0)]
    with grpc.insecure_channel(f"127.0.0.1:{port}", options=options) as channel:
        count = channel.unary_stream("/mesh.tests.Echo/Count")
        for status in statuses:
            # CountRequest { count = 1 (field 1), fail_with (field 4) }: written by hand, no protoc needed.
            request = b"\x08\x01" + (b"\x20" + bytes([status]) if status else b"")
            replies = 0
            try:
                for _ in count(request, timeout=30):
                    replies += 1
                print(replies, "OK")
            except grpc.RpcError as error:
                print(replies, error.code().name)


if __name__ == "__main__":
    main()
