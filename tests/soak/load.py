#!/usr/bin/env python3
"""Open-loop HTTP/1.1 load through the sidecar, sampled every INTERVAL seconds (standard library only).

Half the requests are GETs; a quarter are POSTs of 1-16 KiB with an Idempotency-Key (retryable, so their bodies are
replayed from the sidecar's buffer), a quarter are POSTs without one (never sent twice). Each body carries the first
16 hex digits of its SHA-256 in x-body-sha for the backend to check.

Request i is due at start + i / RATE; WORKERS threads (one keep-alive connection each) take the next due
request, so the rate holds while a few requests hang. A request that could not start within 1 s of its due time
is counted as late (the client, not the sidecar, fell behind). Every INTERVAL it writes a CSV row: the client's
counts and latency, the sidecar's RSS, open fds and TCP connections (from /proc), and the sidecar's own
/stats for the service. At the end it writes a markdown summary.
"""
import argparse
import collections
import hashlib
import http.client
import json
import os
import random
import statistics
import threading
import time
import urllib.request

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True, help="the sidecar's outbound listener on 127.0.0.1")
p.add_argument("--admin", type=int, required=True, help="the sidecar's admin listener on 127.0.0.1")
p.add_argument("--service", default="soak")
p.add_argument("--pid", type=int, required=True, help="the sidecar's process id")
p.add_argument("--backend-ports", default="", help="comma-separated, to count upstream connections")
p.add_argument("--rate", type=float, default=100)
p.add_argument("--workers", type=int, default=32)
p.add_argument("--duration", type=int, default=600)
p.add_argument("--interval", type=int, default=10)
p.add_argument("--timeout", type=float, default=10)
p.add_argument("--csv", required=True)
p.add_argument("--summary", required=True)
a = p.parse_args()

lock = threading.Lock()
ticket = 0
totals = collections.Counter()     # sent, ok, failed, late
by_kind = collections.Counter()    # (kind, "sent" | "ok") -> count
failures = collections.Counter()   # status code or exception name -> count
window = []                        # latencies (ms) since the last sample
stop = threading.Event()
start = time.monotonic()
end = start + a.duration
backend_ports = {int(x) for x in a.backend_ports.split(",") if x}


def worker():
    global ticket
    conn = None
    while not stop.is_set():
        with lock:
            i = ticket
            ticket += 1
        due = start + i / a.rate
        if due >= end:
            return
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        elif now - due > 1:
            with lock:
                totals["late"] += 1
        t0 = time.monotonic()
        outcome = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=a.timeout)
            conn.request(*request_for(i))
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                outcome = str(resp.status)
            if resp.will_close:
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - every client-side error is a failure to count
            outcome = type(e).__name__
            if conn is not None:
                conn.close()
            conn = None
        ms = (time.monotonic() - t0) * 1000
        with lock:
            totals["sent"] += 1
            by_kind[(KINDS[i % 4], "sent")] += 1
            window.append(ms)
            if outcome is None:
                totals["ok"] += 1
                by_kind[(KINDS[i % 4], "ok")] += 1
            else:
                totals["failed"] += 1
                failures[f"{KINDS[i % 4]} {outcome}"] += 1


KINDS = ["GET", "POST+key", "GET", "POST"]


def request_for(i):
    """Request i: (method, path, body, headers), the body (if any) the same for every run of the same i."""
    headers = {"Host": a.service}
    if KINDS[i % 4] == "GET":
        return "GET", f"/soak/{i}", None, headers
    body = random.Random(i).randbytes(1024 + (i * 7919) % 15360)
    headers["Content-Type"] = "application/octet-stream"
    headers["x-body-sha"] = hashlib.sha256(body).hexdigest()[:16]
    if KINDS[i % 4] == "POST+key":
        headers["Idempotency-Key"] = f"k{i}"
    return "POST", f"/soak/{i}", body, headers


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    """Open fds, and the inodes of its sockets."""
    names = os.listdir(f"/proc/{pid}/fd")
    inodes = set()
    for n in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{n}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return len(names), inodes


def tcp(inodes):
    """The sidecar's established TCP connections: from clients to its listener, and to the backends."""
    down = up = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] != "01" or cols[9] not in inodes:
                        continue
                    local, remote = int(cols[1].split(":")[1], 16), int(cols[2].split(":")[1], 16)
                    if local == a.port:
                        down += 1
                    elif remote in backend_ports:
                        up += 1
        except OSError:
            pass
    return down, up


def stats():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{a.admin}/stats?window={a.interval}s", timeout=5) as r:
            doc = json.load(r)
    except Exception:  # noqa: BLE001 - a missed sample is recorded as empty
        return {}
    for s in doc.get("services", []):
        if s.get("service") == a.service and s.get("direction") == "outbound":
            return s
    return {}


def pct(values, q):
    if not values:
        return ""
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


columns = ["elapsed_s", "sent", "ok", "failed", "late", "interval_sent", "interval_failed", "p50_ms", "p99_ms", "max_ms",
           "rss_kb", "fds", "sockets", "tcp_clients", "tcp_upstream", "stats_requests", "stats_success_rate",
           "stats_attempt_success_rate", "stats_retries_per_s", "endpoint_states"]
rows = []


def sample(elapsed):
    with lock:
        snap = dict(totals)
        lat = window[:]
        window.clear()
    prev = rows[-1] if rows else {"sent": 0, "failed": 0}
    n, inodes = fds(a.pid)
    down, up = tcp(inodes)
    s = stats()
    row = {
        "elapsed_s": elapsed, "sent": snap.get("sent", 0), "ok": snap.get("ok", 0), "failed": snap.get("failed", 0),
        "late": snap.get("late", 0),
        "interval_sent": snap.get("sent", 0) - prev["sent"], "interval_failed": snap.get("failed", 0) - prev["failed"],
        "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "max_ms": round(max(lat), 1) if lat else "",
        "rss_kb": rss_kb(a.pid), "fds": n, "sockets": len(inodes), "tcp_clients": down, "tcp_upstream": up,
        "stats_requests": s.get("requests", {}).get("count", ""),
        "stats_success_rate": s.get("requests", {}).get("success_rate", ""),
        "stats_attempt_success_rate": s.get("attempts", {}).get("success_rate", ""),
        "stats_retries_per_s": s.get("retries_per_second", ""),
        "endpoint_states": " ".join(f"{e['endpoint']}={e['state']}" for e in s.get("endpoints", [])),
    }
    rows.append(row)
    with open(a.csv, "a") as f:
        f.write(",".join(str(row[c]) for c in columns) + "\n")
    print(f"[{elapsed:4d}s] sent={row['sent']} failed={row['failed']} p99={row['p99_ms']}ms rss={row['rss_kb']}kB "
          f"fds={row['fds']} tcp={down}/{up} stats_sr={row['stats_success_rate']}", flush=True)


with open(a.csv, "w") as f:
    f.write(",".join(columns) + "\n")
sample(0)
threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.workers)]
for t in threads:
    t.start()
for k in range(1, a.duration // a.interval + 1):
    time.sleep(max(0, start + k * a.interval - time.monotonic()))
    sample(k * a.interval)
for t in threads:
    t.join(a.timeout + 5)
stop.set()
time.sleep(2)
sample(int(time.monotonic() - start))  # after the last responses: connections and memory at rest


def trio(key):
    values = [r[key] for r in rows]
    return f"{values[0]} / {max(values)} / {values[-1]}"


def col(key):
    return [r[key] for r in rows if r[key] != ""]


def rss_growth():
    """RSS after warm-up (the 60 s sample) against the last sample under load: a leak shows as a steady slope."""
    loaded = [r for r in rows if 60 <= r["elapsed_s"] <= a.duration]
    if len(loaded) < 2:
        return "- RSS growth under load: too short a run to tell."
    mb = (loaded[-1]["rss_kb"] - loaded[0]["rss_kb"]) / 1024
    minutes = (loaded[-1]["elapsed_s"] - loaded[0]["elapsed_s"]) / 60
    return (f"- RSS under load, {loaded[0]['elapsed_s']} s to {loaded[-1]['elapsed_s']} s: "
            f"{loaded[0]['rss_kb'] / 1024:.1f} MB to {loaded[-1]['rss_kb'] / 1024:.1f} MB ({mb / minutes:+.2f} MB/min).")


t = rows[-1]
sr = 100.0 * t["ok"] / t["sent"] if t["sent"] else 0
stats_sr = [float(x) for x in col("stats_success_rate")]
lines = [
    f"- Duration {a.duration} s at {a.rate:g} requests/s offered ({a.workers} client workers, keep-alive, "
    f"{a.timeout:g} s client timeout), to `/soak/<i>` with `Host: {a.service}`: half `GET`, a quarter `POST` of "
    f"1-16 KiB with an `Idempotency-Key`, a quarter `POST` without one.",
    "- By kind (succeeded / sent): " + ", ".join(
        f"{k} {by_kind[(k, 'ok')]} / {by_kind[(k, 'sent')]}" for k in ("GET", "POST+key", "POST")) + ".",
    f"- Requests: **{t['sent']}** sent, **{t['ok']}** succeeded (200), **{t['failed']}** failed: "
    f"client-seen success rate **{sr:.3f}%**; {t['late']} started over 1 s late.",
    f"- Failures by kind: {dict(failures) if failures else 'none'}.",
    f"- Client latency per 10 s window: p50 {min(col('p50_ms'))}-{max(col('p50_ms'))} ms, "
    f"p99 {min(col('p99_ms'))}-{max(col('p99_ms'))} ms, max {max(col('max_ms'))} ms.",
    f"- Sidecar `/stats` success rate (requests, 10 s windows): min {min(stats_sr):.4f}, "
    f"mean {statistics.mean(stats_sr):.4f}; attempts' success rate min "
    f"{min(float(x) for x in col('stats_attempt_success_rate')):.4f} (the backends' faults, before retries)."
    if stats_sr else "- Sidecar `/stats`: no samples.",
    rss_growth(),
    "",
    "| resource (sidecar process) | start / peak / end |",
    "| --- | --- |",
    f"| RSS (kB) | {trio('rss_kb')} |",
    f"| open fds | {trio('fds')} |",
    f"| sockets | {trio('sockets')} |",
    f"| TCP from clients | {trio('tcp_clients')} |",
    f"| TCP to backends | {trio('tcp_upstream')} |",
]
with open(a.summary, "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
