# Steady HTTP traffic for the multi-host test, run inside the client namespace: THREADS callers send GET /index.html
# to the client's outbound sidecar (Host: SERVICE) for DURATION seconds, each over a keep-alive connection, and print
# one JSON summary: requests sent, succeeded, failed, which backend answered (the body names it), first failures.
# Bounded in count and time; talks only to the address it is given (the sidecar on the namespace's loopback).
import http.client
import json
import sys
import threading
import time

host, port, service, duration, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
lock = threading.Lock()
stats = {"sent": 0, "ok": 0, "failed": 0, "by_backend": {}, "failures": []}
start = time.monotonic()
deadline = start + duration


def worker():
    conn = None
    while time.monotonic() < deadline:
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=15)
            conn.request("GET", "/index.html", headers={"Host": service})
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace").strip()
            ok = response.status == 200
            detail = body if ok else "status %d: %s" % (response.status, body[:200])
            if (response.getheader("connection") or "").lower() == "close":
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - every failure counts, whatever it is
            ok = False
            detail = "%.2fs %r" % (time.monotonic() - start, e)
            if conn is not None:
                conn.close()
            conn = None
        with lock:
            stats["sent"] += 1
            if ok:
                stats["ok"] += 1
                stats["by_backend"][detail] = stats["by_backend"].get(detail, 0) + 1
            else:
                stats["failed"] += 1
                if len(stats["failures"]) < 10:
                    stats["failures"].append(detail)
    if conn is not None:
        conn.close()


workers = [threading.Thread(target=worker) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
stats["seconds"] = round(time.monotonic() - start, 3)
print(json.dumps(stats))
