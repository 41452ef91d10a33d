#!/usr/bin/env python3
"""Mesh load suite: starts the loopback backend and every proxy, then measures them interleaved.

Called by run.sh (which installs the Debian packages and builds the .NET targets); see bench/README.md.
Everything listens on 127.0.0.1 only. The load generator runs on CPU 0, the backend and the proxies on CPU 1.

Per target and round: max throughput (wrk -t1 -c32, closed loop, every response must be 2xx), then latency at a
fixed rate (h2load --h1 -c8 --rps RATE/8, percentiles from its per-request log), and for both the CPU the target
process used (utime+stime from /proc/<pid>/stat) per 1k requests. Peak RSS is VmHWM, reset after warm-up by writing
5 to /proc/<pid>/clear_refs, read at the end. Rounds interleave the targets so drift on a shared machine hits all.
"""
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

ENV = os.environ
QUICK = ENV.get("QUICK", "0") == "1"
WORK = ENV.get("WORK", "/tmp/mesh-bench")
RESULTS = ENV["RESULTS"]
BUILD = ENV["BUILD"]  # where run.sh put the .NET builds
# Every target runs in this directory, which nothing writes to. A .NET host's default configuration watches its working
# directory (its content root) for appsettings.json changes, recursively: started in WORK, plain YARP's file watcher
# woke ~1,500 times a second while h2load wrote its per-request log under WORK/raw, and took ~4 % of the proxies' CPU
# during every other target's latency rounds (perf sched, 2026-12-08).
TARGET_CWD = f"{WORK}/cwd"
GEN_CPU = ENV.get("GEN_CPU", "0")
TARGET_CPU = ENV.get("TARGET_CPU", "1")
RATE = int(ENV.get("RATE", "5000"))
ROUNDS = int(ENV.get("ROUNDS", "1" if QUICK else "3"))
WRK_SECONDS = int(ENV.get("WRK_SECONDS", "5" if QUICK else "6"))
LAT_SECONDS = int(ENV.get("LAT_SECONDS", "5" if QUICK else "6"))
# A JIT process at full load on one CPU takes longer than 30 s to tier up: a profile of the sidecar at 24 s still showed
# quick-jitted and PGO-instrumented frames and a busy JIT, and h2c throughput went from 11-14k rps (the first 45 s)
# to 16-27k once warm (2026-12-07). 60 s per JIT target.
WARMUP_DOTNET = int(ENV.get("WARMUP_DOTNET", "5" if QUICK else "60"))
WARMUP_AOT = int(ENV.get("WARMUP_AOT", "3" if QUICK else "10"))
WARMUP_NATIVE = int(ENV.get("WARMUP_NATIVE", "2" if QUICK else "5"))
CONNECTIONS = 32
LAT_CLIENTS = 8
HOST = "bench"
PATH = "/index.txt"
BODY = ("mesh-bench " * 12).strip() + "\n"  # a small static body (132 bytes)
CLK_TCK = os.sysconf("SC_CLK_TCK")

BACKEND_PORT = 18080
H2_BACKEND_PORT = 18280  # the same nginx backend, cleartext HTTP/2 with prior knowledge (h2c)
H2_STREAMS = 16  # h2load -c8 -m16: gRPC-like unary requests multiplexed on few connections
MANY_CONNECTIONS = int(ENV.get("MANY_CONNECTIONS", "1000"))
MANY_SECONDS = int(ENV.get("MANY_SECONDS", "5" if QUICK else "10"))
STARTUPS = int(ENV.get("STARTUPS", "3" if QUICK else "7"))
TARGETS = [
    # name, port, kind ("native", "dotnet" = JIT, "aot" = NativeAOT: warmed up for WARMUP_AOT), description
    ("direct", BACKEND_PORT, "native", "nginx backend, no proxy"),
    ("haproxy", 18081, "native", "HAProxy, 1 thread, keep-alive to the backend"),
    ("nginx", 18082, "native", "nginx reverse proxy, 1 worker, upstream keepalive"),
    ("yarp", 18083, "dotnet", "plain YARP (bench/load/PlainYarp), JIT"),
    ("mesh", 18084, "dotnet", "Mesh sidecar, default policies, JIT"),
    ("yarp-aot", 18085, "aot", "plain YARP, NativeAOT"),
    ("mesh-aot", 18086, "aot", "Mesh sidecar, default policies, NativeAOT (with its built-in 4 MiB gen0 budget and 1 MiB GC regions)"),
]
# Extra environment per target: the .NET targets run with the Web SDK's defaults (Server GC) unless noted here.
# The GC sizes its gen0 budget from the L3 cache size the CPU reports (300 MiB on some cloud VMs), and that budget,
# not the proxy's own data, is most of a .NET proxy's RSS under load. GCgen0size is hex, without a 0x prefix. The Mesh
# sidecar's NativeAOT build bakes in GCgen0size=400000 and GCRegionSize=100000 (src/Mesh.ProxyHost/Mesh.ProxyHost.csproj);
# no target overrides them.
TARGET_ENV: dict[str, dict[str, str]] = {}


def log(msg):
    print(f"[load {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- configs

def nginx_conf(name, http_body):
    """An nginx configuration of the suite: one worker in the foreground, its own pid, log and temp paths, no access log."""
    tmp = f"{WORK}/nginx-tmp-{name}"
    os.makedirs(tmp, exist_ok=True)
    return f"""
daemon off;
master_process off;
worker_processes 1;
pid {WORK}/nginx-{name}.pid;
error_log {WORK}/nginx-{name}.err warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}; proxy_temp_path {tmp};
    fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
    keepalive_requests 100000000;
{http_body}
}}
"""


def nginx_backend_conf():
    root = f"{WORK}/www"
    write(f"{root}/index.txt", BODY)
    return nginx_conf("backend", f"""
    keepalive_timeout 300s;
    default_type text/plain;
    server {{
        listen 127.0.0.1:{BACKEND_PORT} default_server;
        root {root};
        location / {{ }}
    }}
    server {{
        listen 127.0.0.1:{H2_BACKEND_PORT} http2;
        http2_max_concurrent_streams 256;
        root {root};
        location / {{ }}
    }}""")


def nginx_proxy_conf(port):
    return nginx_conf("proxy", f"""
    keepalive_timeout 300s;
    upstream backend {{
        server 127.0.0.1:{BACKEND_PORT};
        keepalive 64;
        keepalive_requests 100000000;
    }}
    server {{
        listen 127.0.0.1:{port} default_server;
        location / {{
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}""")


def haproxy_conf(port, backend_port=BACKEND_PORT, h2=False):
    """HAProxy, one thread, keep-alive to the backend; with h2, cleartext HTTP/2 with prior knowledge on both sides."""
    proto = " proto h2" if h2 else ""
    return f"""
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    http-reuse always
frontend fe
    bind 127.0.0.1:{port}{proto}
    default_backend be
backend be
    server s1 127.0.0.1:{backend_port}{proto}
"""


def command_for(name, port):
    """The command line of a target, or None when its build is missing (then it is skipped)."""
    backend = f"http://127.0.0.1:{BACKEND_PORT}"
    if name == "haproxy":
        write(f"{WORK}/haproxy.cfg", haproxy_conf(port))
        return ["haproxy", "-f", f"{WORK}/haproxy.cfg", "-db"]
    if name == "nginx":
        write(f"{WORK}/nginx-proxy.conf", nginx_proxy_conf(port))
        return ["nginx", "-c", f"{WORK}/nginx-proxy.conf", "-p", WORK, "-e", f"{WORK}/nginx-proxy.err"]
    if name in ("yarp", "yarp-aot"):
        exe = f"{BUILD}/yarp/PlainYarp.dll" if name == "yarp" else f"{BUILD}/yarp-aot/PlainYarp"
        if not os.path.exists(exe):
            return None
        args = [f"--Listen=http://127.0.0.1:{port}", f"--Backend={backend}/"]
        return (["dotnet", exe] if exe.endswith(".dll") else [exe]) + args
    if name in ("mesh", "mesh-aot"):
        exe = f"{BUILD}/mesh/Mesh.ProxyHost.dll" if name == "mesh" else f"{BUILD}/mesh-aot/Mesh.ProxyHost"
        if not os.path.exists(exe):
            return None
        admin = port + 10
        args = [
            f"--Services:{HOST}:http:0={backend}",
            f"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port}",
            "--Mesh:Proxy:Outbound:ListenHttp2=",
            "--Mesh:Proxy:Inbound:Listen=",
            "--Mesh:Proxy:Inbound:ListenHttp2=",
            f"--Mesh:Admin:Listen=127.0.0.1:{admin}",
        ]
        return (["dotnet", exe] if exe.endswith(".dll") else [exe]) + args
    raise ValueError(name)


# ---------------------------------------------------------------- processes and /proc

PROCS = {}


def target_cwd():
    os.makedirs(TARGET_CWD, exist_ok=True)
    return TARGET_CWD


def start(name, cmd):
    out = open(f"{WORK}/{name}.log", "w")
    env = dict(os.environ, **TARGET_ENV.get(name, {}))
    proc = subprocess.Popen(["taskset", "-c", TARGET_CPU] + cmd, stdout=out, stderr=subprocess.STDOUT,
                            cwd=target_cwd(), start_new_session=True, env=env)
    PROCS[name] = proc
    return proc


def stop_all():
    for name, proc in PROCS.items():
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.time() + 10
    for proc in PROCS.values():
        try:
            proc.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def stop(name):
    proc = PROCS.get(name)
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def reset_peak_rss(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def get(port):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}", headers={"Host": HOST})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, resp.read().decode()


def wait_ready(name, port, timeout=60):
    """Ready = answers 200 with the backend's exact body; a target answering anything else is rejected."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        if PROCS[name].poll() is not None:
            raise RuntimeError(f"{name} exited with {PROCS[name].returncode}; see {WORK}/{name}.log")
        try:
            status, body = get(port)
            if status == 200 and body == BODY:
                return
            last = f"status {status}, body {body[:60]!r}"
        except Exception as e:  # noqa: BLE001 - not listening yet, or an HTTP error
            last = str(e)
        time.sleep(0.3)
    raise RuntimeError(f"{name} on {port} not ready: {last}")


# ---------------------------------------------------------------- load generators

def wrk(port, seconds):
    cmd = ["taskset", "-c", GEN_CPU, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", f"Host: {HOST}",
           f"http://127.0.0.1:{port}{PATH}"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def parse_wrk(out):
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": total,
        "rps": rps,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def h2load(port, seconds, logfile, rate=None):
    """Requests on a schedule: RATE per second (or `rate`) over LAT_CLIENTS connections, each request's time in `logfile`."""
    per_client = max(1, (rate or RATE) // LAT_CLIENTS)
    cmd = ["taskset", "-c", GEN_CPU, "h2load", "--h1", "-t1", f"-c{LAT_CLIENTS}", f"--rps={per_client}",
           f"-D{seconds}", "--warm-up-time=1", "-H", f":authority: {HOST}", f"--log-file={logfile}",
           f"http://127.0.0.1:{port}{PATH}"]
    # h2load appends to its log; with --h1, ':authority' sets the Host header ('-H host:' would send two, and get 400s).
    if os.path.exists(logfile):
        os.remove(logfile)
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def parse_h2load_log(logfile):
    durations, statuses = [], {}
    with open(logfile) as f:
        for line in f:
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            status = int(parts[1])
            statuses[status] = statuses.get(status, 0) + 1
            durations.append(int(parts[2]) / 1000.0)  # ms
    durations.sort()
    bad = sum(n for s, n in statuses.items() if not 200 <= s < 300)
    return {
        "requests": len(durations),
        "non_2xx": bad,
        "p50_ms": percentile(durations, 0.50),
        "p90_ms": percentile(durations, 0.90),
        "p99_ms": percentile(durations, 0.99),
        "p999_ms": percentile(durations, 0.999),
        "max_ms": durations[-1] if durations else None,
    }


# ---------------------------------------------------------------- the run

def measure(name, port, pid, round_no):
    cpu0 = cpu_seconds(pid)
    out = wrk(port, WRK_SECONDS)
    cpu1 = cpu_seconds(pid)
    w = parse_wrk(out)
    w["cpu_ms_per_1k"] = (cpu1 - cpu0) * 1000 / (w["requests"] / 1000) if w["requests"] else None
    if w["non_2xx"]:
        log(f"  {name}: REJECTED, {w['non_2xx']} non-2xx responses under wrk")
    write(f"{WORK}/raw/{name}-r{round_no}-wrk.txt", out)
    time.sleep(1)
    logfile = f"{WORK}/raw/{name}-r{round_no}-h2load.log"
    cpu0 = cpu_seconds(pid)
    out = h2load(port, LAT_SECONDS, logfile)
    cpu1 = cpu_seconds(pid)
    write(f"{WORK}/raw/{name}-r{round_no}-h2load.txt", out)
    lat = parse_h2load_log(logfile)
    lat["cpu_ms_per_1k"] = (cpu1 - cpu0) * 1000 / (lat["requests"] / 1000) if lat["requests"] else None
    lat["achieved_rps"] = lat["requests"] / LAT_SECONDS
    if lat["non_2xx"]:
        log(f"  {name}: REJECTED, {lat['non_2xx']} non-2xx responses under h2load")
    log(f"  {name}: {w['rps']:.0f} rps (max), p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms at {RATE} rps, "
        f"cpu {w['cpu_ms_per_1k']:.1f} ms/1k req")
    return {"wrk": w, "latency": lat}


def rotated(targets, round_no):
    """The targets in the order of a round: each round starts one target later, so that no target always follows the
    same one (a .NET process just loaded still collects garbage and compiles on the CPU the next target shares)."""
    k = (round_no - 1) % len(targets)
    return targets[k:] + targets[:k]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    return {
        "nproc": sh("nproc"),
        "lscpu": sh("lscpu | head -n 15"),
        "kernel": platform.release(),
        "dotnet": sh("dotnet --version"),
        "nginx": sh("nginx -v 2>&1"),
        "haproxy": sh("haproxy -v | head -n 1"),
        "wrk": sh("wrk --version 2>&1 | head -n 1"),
        "h2load": sh("h2load --version | head -n 1"),
        "loadavg_at_start": open("/proc/loadavg").read().strip(),
        # A halted vCPU exits to the host; how the guest idles may add wake-up time (bench/load/latency.py).
        "cpuidle_driver": sh("cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null"),
        "guest_halt_poll_ns": sh("cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null"),
    }


def ensure_ports_free():
    """Refuses to run when anything already listens on a port of the suite (e.g. a backend left over from another run)."""
    ports_free([p for name, port, *_ in TARGETS + H2_TARGETS + [("mesh-startup", 18301)]
                for p in ((port, port + 3, port + 10) if name.startswith("mesh") else (port,))])


def ports_free(ports):
    """Refuses to run when anything already listens on one of `ports`."""
    import socket
    busy = []
    for p in ports:
        with socket.socket() as sock:
            # SO_REUSEADDR: connections in TIME_WAIT from an earlier run do not count, a listener does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", p))
            except OSError:
                busy.append(p)
    if busy:
        raise SystemExit(f"ports already in use: {busy}; stop whatever listens there (ss -ltnp) and run again")


def main():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    ensure_ports_free()
    os.makedirs(f"{WORK}/raw", exist_ok=True)
    started = datetime.now(timezone.utc)
    info = machine()
    log(f"QUICK={int(QUICK)} rounds={ROUNDS} wrk={WRK_SECONDS}s latency={LAT_SECONDS}s@{RATE}rps "
        f"warm-up dotnet={WARMUP_DOTNET}s native={WARMUP_NATIVE}s; generator on CPU {GEN_CPU}, targets on CPU {TARGET_CPU}")

    write(f"{WORK}/nginx-backend.conf", nginx_backend_conf())
    start("backend", ["nginx", "-c", f"{WORK}/nginx-backend.conf", "-p", WORK, "-e", f"{WORK}/nginx-backend.err"])
    PROCS["direct"] = PROCS["backend"]
    wait_ready("backend", BACKEND_PORT)

    active, skipped = [], {}
    for name, port, kind, desc in TARGETS:
        if name == "direct":
            active.append((name, port, kind, desc))
            continue
        cmd = command_for(name, port)
        if cmd is None:
            skipped[name] = "not built (see run.sh output)"
            log(f"skipping {name}: not built")
            continue
        start(name, cmd)
        try:
            wait_ready(name, port)
        except RuntimeError as e:
            skipped[name] = str(e)
            log(f"skipping {name}: {e}")
            continue
        active.append((name, port, kind, desc))

    # Warm-up, each target alone (JIT, tiered compilation, connection pools), then forget the warm-up's peak RSS.
    for name, port, kind, _ in active:
        seconds = {"dotnet": WARMUP_DOTNET, "aot": WARMUP_AOT}.get(kind, WARMUP_NATIVE)
        log(f"warm-up {name}: {seconds}s")
        w = parse_wrk(wrk(port, seconds))
        if w["non_2xx"]:
            raise SystemExit(f"{name} answered {w['non_2xx']} non-2xx responses during warm-up: misconfigured")
        reset_peak_rss(PROCS[name].pid)

    rounds = {name: [] for name, *_ in active}
    for r in range(1, ROUNDS + 1):
        log(f"round {r}/{ROUNDS}")
        for name, port, kind, _ in rotated(active, r):
            rounds[name].append(measure(name, port, PROCS[name].pid, r))

    peaks = {name: {"vmhwm_kb": status_kb(PROCS[name].pid, "VmHWM"), "vmrss_kb": status_kb(PROCS[name].pid, "VmRSS")}
             for name, *_ in active}

    log(f"{MANY_CONNECTIONS} keep-alive connections, {MANY_SECONDS}s per target")
    many = run_many_connections(active)
    for name, *_ in active:
        if name != "direct":
            stop(name)
    log("cleartext HTTP/2 (h2load -c8 -m16)")
    h2c = run_h2c()
    log(f"start-up to the first proxied answer, {STARTUPS} runs per target")
    startup = run_startup()
    info["loadavg_at_end"] = open("/proc/loadavg").read().strip()
    stop_all()

    results = {}
    for name, port, kind, desc in active:
        rs = rounds[name]
        rejected = any(x["wrk"]["non_2xx"] or x["latency"]["non_2xx"] for x in rs)
        results[name] = {
            "description": desc,
            "valid": not rejected,
            "rps": median([x["wrk"]["rps"] for x in rs]),
            "socket_errors": sum(x["wrk"]["socket_errors"] for x in rs),
            "cpu_ms_per_1k_max": median([x["wrk"]["cpu_ms_per_1k"] for x in rs]),
            "cpu_ms_per_1k_fixed": median([x["latency"]["cpu_ms_per_1k"] for x in rs]),
            "achieved_rps_fixed": median([x["latency"]["achieved_rps"] for x in rs]),
            **{k: median([x["latency"][k] for x in rs]) for k in ("p50_ms", "p90_ms", "p99_ms", "p999_ms")},
            "max_ms": max(x["latency"]["max_ms"] for x in rs),
            "peak_rss_mb": peaks[name]["vmhwm_kb"] / 1024 if peaks[name]["vmhwm_kb"] else None,
            "rounds": rs,
        }
    derive(results)
    doc = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "quick": QUICK,
        "settings": {"rounds": ROUNDS, "rotated": True, "wrk_seconds": WRK_SECONDS, "latency_seconds": LAT_SECONDS, "rate": RATE,
                     "wrk_connections": CONNECTIONS, "h2load_clients": LAT_CLIENTS,
                     "warmup_dotnet_s": WARMUP_DOTNET, "warmup_aot_s": WARMUP_AOT, "warmup_native_s": WARMUP_NATIVE,
                     "generator_cpu": GEN_CPU, "target_cpu": TARGET_CPU, "body_bytes": len(BODY)},
        "machine": info,
        "skipped": skipped,
        "target_env": TARGET_ENV,
        "targets": results,
        "many_connections": {"connections": MANY_CONNECTIONS, "seconds": MANY_SECONDS, "targets": many},
        "h2c": h2c,
        "startup": startup,
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(f"{RESULTS}/load.json", "w") as f:
        json.dump(doc, f, indent=2)
    table = markdown(doc)
    write(f"{RESULTS}/load.md", table)
    write(f"{RESULTS}/load.svg", svg(doc))
    print(table)
    log(f"wrote {RESULTS}/load.json, load.md, load.svg")


def derive(results):
    """Ratios and added latency, paired within each round (targets of one round ran minutes apart, under the same load),
    then the median over rounds; plus the best round's p99 (interference only ever adds latency)."""
    direct = results["direct"]
    n = len(direct["rounds"])
    for name, r in results.items():
        for k in ("p50_ms", "p90_ms", "p99_ms", "p999_ms"):
            r["added_" + k] = median([r["rounds"][i]["latency"][k] - direct["rounds"][i]["latency"][k] for i in range(n)])
        r["p99_best_ms"] = min(x["latency"]["p99_ms"] for x in r["rounds"])
        r["added_p99_best_ms"] = r["p99_best_ms"] - min(x["latency"]["p99_ms"] for x in direct["rounds"])
        for base in ("direct", "haproxy", "yarp", "yarp-aot"):
            if base in results:
                b = results[base]["rounds"]
                r[f"rps_vs_{base}"] = median([r["rounds"][i]["wrk"]["rps"] / b[i]["wrk"]["rps"] for i in range(n)])
                r[f"cpu_vs_{base}"] = median([r["rounds"][i]["wrk"]["cpu_ms_per_1k"] / b[i]["wrk"]["cpu_ms_per_1k"] for i in range(n)])


def fmt(v, spec=".2f"):
    return "–" if v is None else format(v, spec)


def markdown(doc):
    t = doc["targets"]
    s = doc["settings"]
    lines = [
        f"Load run {doc['date']}{' (QUICK=1: short warm-up and durations)' if doc['quick'] else ''}; "
        f"{doc['machine']['nproc']} CPUs, generator on CPU {s['generator_cpu']}, proxy + backend on CPU {s['target_cpu']}; "
        f"max throughput: wrk -t1 -c{s['wrk_connections']} {s['wrk_seconds']} s; latency: h2load --h1 -c{s['h2load_clients']} "
        f"at {s['rate']} rps for {s['latency_seconds']} s; median of {s['rounds']} interleaved round(s){', each starting one target later than the last' if s.get('rotated') else ''}; "
        f"warm-up {s['warmup_dotnet_s']} s (.NET JIT) / {s['warmup_aot_s']} s (NativeAOT) / {s['warmup_native_s']} s (native). "
        f"Load average at start / end: {doc['machine']['loadavg_at_start']} / {doc['machine'].get('loadavg_at_end', '?')} "
        f"(other work on the machine competes with both CPUs). Values are medians over rounds; ratios (×) and added latency (+) "
        f"are paired within each round, then the median; 'best p99' is the lowest p99 of any round. All rounds are in load.json.",
        "",
        "| target | valid | max rps | ×direct | ×haproxy | ×yarp | ×yarp-aot | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | +p50 | +p99 | best p99 | +best p99 | CPU ms/1k (max) | CPU ms/1k (fixed) | peak RSS MB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, r in t.items():
        lines.append(
            f"| {name} | {'yes' if r['valid'] else '**NO (non-2xx)**'} | {fmt(r['rps'], '.0f')} | {fmt(r.get('rps_vs_direct'))} | "
            f"{fmt(r.get('rps_vs_haproxy'))} | {fmt(r.get('rps_vs_yarp'))} | {fmt(r.get('rps_vs_yarp-aot'))} | {fmt(r['p50_ms'], '.3f')} | {fmt(r['p90_ms'], '.3f')} | "
            f"{fmt(r['p99_ms'], '.3f')} | {fmt(r['p999_ms'], '.3f')} | {fmt(r['max_ms'], '.1f')} | {fmt(r['added_p50_ms'], '+.3f')} | "
            f"{fmt(r['added_p99_ms'], '+.3f')} | {fmt(r['p99_best_ms'], '.3f')} | {fmt(r['added_p99_best_ms'], '+.3f')} | {fmt(r['cpu_ms_per_1k_max'], '.1f')} | {fmt(r['cpu_ms_per_1k_fixed'], '.1f')} | "
            f"{fmt(r['peak_rss_mb'], '.1f')} |")
    if doc["skipped"]:
        lines.append("")
        lines.append("Skipped: " + "; ".join(f"{k}: {v}" for k, v in doc["skipped"].items()))
    lines += more_tables(doc)
    lines += ["", "Issue 18 targets (same run):", ""]
    lines += [f"- {v}" for v in verdicts(doc)]
    return "\n".join(lines) + "\n"


def more_tables(doc):
    lines = []
    h2 = doc.get("h2c")
    if h2:
        lines += ["", f"Cleartext HTTP/2 (gRPC's transport): h2load -t1 -c{LAT_CLIENTS} -m{H2_STREAMS} for {doc['settings']['wrk_seconds']} s "
                  "per round, closed loop, GET of the same body from nginx's h2c port; p50/p99 under that load.", "",
                  "| target | valid | max rps | ×direct-h2c | ×haproxy-h2c | ×nginx-h2c | ×yarp-h2c | p50 ms | p99 ms | CPU ms/1k |",
                  "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for name, r in h2["targets"].items():
            lines.append(f"| {name} | {'yes' if r['valid'] else '**NO**'} | {fmt(r['rps'], '.0f')} | {fmt(r.get('rps_vs_direct-h2c'))} | "
                         f"{fmt(r.get('rps_vs_haproxy-h2c'))} | {fmt(r.get('rps_vs_nginx-h2c'))} | {fmt(r.get('rps_vs_yarp-h2c'))} | "
                         f"{fmt(r['p50_ms'], '.3f')} | {fmt(r['p99_ms'], '.3f')} | {fmt(r['cpu_ms_per_1k'], '.1f')} |")
        if h2["skipped"]:
            lines += ["", "Skipped: " + "; ".join(f"{k}: {v}" for k, v in h2["skipped"].items())]
    many = doc.get("many_connections")
    if many:
        lines += ["", f"{many['connections']} concurrent keep-alive connections: wrk -t1 -c{many['connections']} --latency for "
                  f"{many['seconds']} s per target (after the rounds above); peak RSS is VmHWM during this run only.", "",
                  "| target | rps | socket errors | non-2xx | p50 ms | p99 ms | CPU ms/1k | peak RSS MB |",
                  "|---|--:|--:|--:|--:|--:|--:|--:|"]
        for name, r in many["targets"].items():
            lines.append(f"| {name} | {fmt(r['rps'], '.0f')} | {r['errors']} | {r['non_2xx']} | {fmt(r['p50_ms'], '.2f')} | "
                         f"{fmt(r['p99_ms'], '.2f')} | {fmt(r['cpu_ms_per_1k'], '.1f')} | {fmt(r['peak_rss_mb'], '.1f')} |")
    st = doc.get("startup")
    if st:
        lines += ["", "Start-up: exec to the first proxied 200 (a fresh connection tried every millisecond), "
                  f"{len(next(iter(st.values()))['runs_ms'])} runs per target.", "",
                  "| target | median ms | best ms |", "|---|--:|--:|"]
        for name, r in st.items():
            lines.append(f"| {name} | {r['median_ms']:.0f} | {r['min_ms']:.0f} |")
    return lines


# Issue 18's targets, each reported met or missed with its measured value.
MANY_RSS_BOUND_MB = {"mesh": 256, "mesh-aot": 96}


def verdicts(doc):
    t, s, out = doc["targets"], doc["settings"], []

    def verdict(ok):
        return "**met**" if ok else "**missed**"

    m = t.get("mesh")
    if m:
        if "yarp" in t:
            out.append(f"HTTP/1.1 throughput: mesh {m['rps_vs_yarp']:.2f}× plain YARP (target ≥ 1.0): {verdict(m['rps_vs_yarp'] >= 1.0)}")
            cpu, ycpu, ratio = m["cpu_ms_per_1k_max"], t["yarp"]["cpu_ms_per_1k_max"], m["cpu_vs_yarp"]
            out.append(f"HTTP/1.1 CPU per request at max load: {ratio:.2f}× plain YARP's, paired per round (medians {cpu:.1f} vs "
                       f"{ycpu:.1f} ms/1k; target ≤ 1.0): {verdict(ratio <= 1.0)}")
        if "haproxy" in t:
            out.append(f"HTTP/1.1 throughput: mesh {m['rps_vs_haproxy']:.2f}× haproxy (target ≥ 0.65): {verdict(m['rps_vs_haproxy'] >= 0.65)}")
        added, best = m["added_p99_ms"], m["added_p99_best_ms"]
        out.append(f"Added p99 over direct at {s['rate']} rps: {added:+.3f} ms paired median, {best:+.3f} ms best rounds "
                   f"(target ≤ +0.5 ms): {verdict(added <= 0.5)}")
    h2 = (doc.get("h2c") or {}).get("targets", {})
    if "mesh-h2c" in h2 and "yarp-h2c" in h2:
        r = h2["mesh-h2c"]["rps_vs_yarp-h2c"]
        out.append(f"h2c throughput: mesh {r:.2f}× plain YARP h2c (target ≥ 1.0): {verdict(r >= 1.0)}")
    a = t.get("mesh-aot")
    if a and m:
        r = median([a["rounds"][i]["wrk"]["rps"] / m["rounds"][i]["wrk"]["rps"] for i in range(len(m["rounds"]))])
        out.append(f"NativeAOT throughput: {r:.2f}× the JIT build (target ≥ 1.0): {verdict(r >= 1.0)}")
        out.append(f"NativeAOT peak RSS under load: {a['peak_rss_mb']:.1f} MB (target ≤ 40 MB): {verdict(a['peak_rss_mb'] <= 40)}")
    st = doc.get("startup", {})
    if "mesh-aot" in st:
        ms = st["mesh-aot"]["median_ms"]
        out.append(f"NativeAOT start-up to the first proxied answer: {ms:.0f} ms median (target ≤ 100 ms): {verdict(ms <= 100)}")
    many = (doc.get("many_connections") or {}).get("targets", {})
    for name in ("mesh", "mesh-aot"):
        if name in many:
            r = many[name]
            hp = many.get("haproxy", {})
            ok = r["errors"] == 0 and r["non_2xx"] == 0 and r["peak_rss_mb"] <= MANY_RSS_BOUND_MB[name]
            out.append(f"{doc['many_connections']['connections']} connections, {name}: {r['errors']} socket errors, {r['non_2xx']} non-2xx, "
                       f"p99 {fmt(r['p99_ms'])} ms (haproxy {fmt(hp.get('p99_ms'))} ms), peak RSS {r['peak_rss_mb']:.1f} MB "
                       f"(haproxy {fmt(hp.get('peak_rss_mb'), '.1f')} MB; bound {MANY_RSS_BOUND_MB[name]} MB): {verdict(ok)}")
    return out


def svg(doc):
    """Three horizontal bar panels (max rps, added p99, peak RSS), one bar per target; stdlib only."""
    t = doc["targets"]
    names = list(t)
    colors = {"direct": "#888", "haproxy": "#4c78a8", "nginx": "#54a24b", "yarp": "#f58518", "yarp-aot": "#ffbf79",
              "mesh": "#e45756", "mesh-aot": "#ff9d98"}
    panels = [
        ("Max throughput (rps, wrk -c32)", lambda r: r["rps"], "{:.0f}"),
        (f"Added p99 over direct at {doc['settings']['rate']} rps (ms)", lambda r: max(0.0, r["added_p99_ms"]), "{:.2f}"),
        ("Peak RSS under load (MB)", lambda r: r["peak_rss_mb"] or 0, "{:.0f}"),
    ]
    bar_h, gap, label_w, plot_w, panel_gap = 18, 6, 115, 300, 40
    panel_h = len(names) * (bar_h + gap) + 30
    width = label_w + plot_w + 70
    height = panel_h * len(panels) + panel_gap * (len(panels) - 1) + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">Mesh load suite, {doc["date"]}'
           f'{" (QUICK)" if doc["quick"] else ""}</text>']
    y0 = 40
    for title, value, label in panels:
        vals = [value(t[n]) or 0 for n in names]
        top = max(vals) or 1
        out.append(f'<text x="10" y="{y0 + 12}" font-weight="bold">{title}</text>')
        for i, n in enumerate(names):
            y = y0 + 22 + i * (bar_h + gap)
            w = vals[i] / top * plot_w
            out.append(f'<text x="10" y="{y + 13}">{n}</text>')
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colors.get(n, "#999")}"/>')
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{label.format(vals[i])}</text>')
        y0 += panel_h + panel_gap
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render():
    """`loadbench.py --render`: recomputes the derived values in load.json and rewrites load.md and load.svg from it."""
    with open(f"{RESULTS}/load.json") as f:
        doc = json.load(f)
    derive(doc["targets"])
    with open(f"{RESULTS}/load.json", "w") as f:
        json.dump(doc, f, indent=2)
    write(f"{RESULTS}/load.md", markdown(doc))
    write(f"{RESULTS}/load.svg", svg(doc))
    print(markdown(doc))




# ---------------------------------------------------------------- cleartext HTTP/2 (gRPC's transport)

H2_TARGETS = [
    # name, port, kind, description: each proxies h2c in and h2c out to the nginx backend's h2c port
    ("direct-h2c", H2_BACKEND_PORT, "native", "nginx backend, h2c, no proxy"),
    ("haproxy-h2c", 18281, "native", "HAProxy, 1 thread, proto h2 on both sides"),
    ("nginx-h2c", 18282, "native", "nginx, 1 worker, http2 listener, grpc_pass (h2c) upstream with keepalive"),
    ("yarp-h2c", 18283, "dotnet", "plain YARP (--Http2=true: HTTP/2-only endpoint, HTTP/2 exact upstream), JIT"),
    ("mesh-h2c", 18284, "dotnet", "Mesh sidecar, the h2c listener (Mesh:Proxy:Outbound:ListenHttp2), default policies, JIT"),
]


def h2_command_for(name, port):
    backend = f"http://127.0.0.1:{H2_BACKEND_PORT}"
    if name == "haproxy-h2c":
        write(f"{WORK}/haproxy-h2c.cfg", haproxy_conf(port, H2_BACKEND_PORT, h2=True))
        return ["haproxy", "-f", f"{WORK}/haproxy-h2c.cfg", "-db"]
    if name == "nginx-h2c":
        write(f"{WORK}/nginx-h2c.conf", nginx_conf("h2c", f"""
    http2_max_concurrent_streams 256;
    upstream h2backend {{
        server 127.0.0.1:{H2_BACKEND_PORT};
        keepalive 64;
        keepalive_requests 100000000;
    }}
    server {{
        listen 127.0.0.1:{port} http2;
        location / {{ grpc_pass grpc://h2backend; }}
    }}"""))
        return ["nginx", "-c", f"{WORK}/nginx-h2c.conf", "-p", WORK, "-e", f"{WORK}/nginx-h2c.err"]
    if name == "yarp-h2c":
        exe = f"{BUILD}/yarp/PlainYarp.dll"
        return None if not os.path.exists(exe) else \
            ["dotnet", exe, f"--Listen=http://127.0.0.1:{port}", f"--Backend={backend}/", "--Http2=true"]
    if name == "mesh-h2c":
        exe = f"{BUILD}/mesh/Mesh.ProxyHost.dll"
        return None if not os.path.exists(exe) else ["dotnet", exe,
            f"--Services:{HOST}:http:0={backend}",
            f"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port + 3}",
            f"--Mesh:Proxy:Outbound:ListenHttp2=127.0.0.1:{port}",
            "--Mesh:Proxy:Inbound:Listen=",
            "--Mesh:Proxy:Inbound:ListenHttp2=",
            f"--Mesh:Admin:Listen=127.0.0.1:{port + 10}"]
    raise ValueError(name)


def h2_ready(name, port, timeout=60):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        if PROCS[name].poll() is not None:
            raise RuntimeError(f"{name} exited with {PROCS[name].returncode}; see {WORK}/{name}.log")
        r = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-H", f"Host: {HOST}", "-w", "\n%{http_code} %{http_version}",
                            f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True)
        if r.stdout == BODY + "\n200 2":
            return
        last = r.stdout[-80:] or r.stderr[-80:]
        time.sleep(0.3)
    raise RuntimeError(f"{name} on {port} not ready over h2c: {last!r}")


def h2load_max(port, seconds, logfile=None):
    cmd = ["taskset", "-c", GEN_CPU, "h2load", "-t1", f"-c{LAT_CLIENTS}", f"-m{H2_STREAMS}", f"-D{seconds}",
           "--warm-up-time=1", "-H", f":authority: {HOST}", f"http://127.0.0.1:{port}{PATH}"]
    if logfile:
        if os.path.exists(logfile):
            os.remove(logfile)
        cmd.insert(-1, f"--log-file={logfile}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    done = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    succeeded = int(done.group(4))
    return out, {
        "requests": succeeded,
        "rps": succeeded / seconds,
        "failed": int(done.group(5)) + int(done.group(6)),
        "non_2xx": sum(int(x) for x in codes.groups()[1:]) if codes else 0,
    }


def run_h2c():
    """Max throughput of each h2c target (h2load -c8 -m16, closed loop), interleaved over rounds; CPU per 1k requests."""
    active, skipped = [], {}
    for name, port, kind, desc in H2_TARGETS:
        if name != "direct-h2c":
            cmd = h2_command_for(name, port)
            if cmd is None:
                skipped[name] = "not built"
                continue
            start(name, cmd)
        else:
            PROCS[name] = PROCS["backend"]
        try:
            h2_ready(name, port)
        except RuntimeError as e:
            skipped[name] = str(e)
            log(f"skipping {name}: {e}")
            continue
        active.append((name, port, kind, desc))
    for name, port, kind, _ in active:
        seconds = WARMUP_DOTNET if kind == "dotnet" else WARMUP_NATIVE
        log(f"warm-up {name}: {seconds}s")
        _, w = h2load_max(port, max(2, seconds))
        if w["non_2xx"] or w["failed"]:
            raise SystemExit(f"{name} failed {w['failed']} / answered {w['non_2xx']} non-2xx during warm-up: misconfigured")
    rounds = {name: [] for name, *_ in active}
    for r in range(1, ROUNDS + 1):
        log(f"h2c round {r}/{ROUNDS}")
        for name, port, kind, _ in rotated(active, r):
            pid = PROCS[name].pid
            cpu0 = cpu_seconds(pid)
            logfile = f"{WORK}/raw/{name}-r{r}-h2load.log"
            out, m = h2load_max(port, WRK_SECONDS, logfile)
            m["cpu_ms_per_1k"] = (cpu_seconds(pid) - cpu0) * 1000 / (m["requests"] / 1000) if m["requests"] else None
            lat = parse_h2load_log(logfile)
            m["p50_ms"], m["p99_ms"] = lat["p50_ms"], lat["p99_ms"]
            write(f"{WORK}/raw/{name}-r{r}-h2load-max.txt", out)
            rounds[name].append(m)
            log(f"  {name}: {m['rps']:.0f} rps, p99 {m['p99_ms']:.2f} ms under max load, cpu {m['cpu_ms_per_1k']:.1f} ms/1k req")
    for name, *_ in active:
        if name != "direct-h2c":
            stop(name)
    results = {}
    for name, port, kind, desc in active:
        rs = rounds[name]
        results[name] = {
            "description": desc,
            "valid": not any(x["non_2xx"] or x["failed"] for x in rs),
            "rps": median([x["rps"] for x in rs]),
            "cpu_ms_per_1k": median([x["cpu_ms_per_1k"] for x in rs]),
            "p50_ms": median([x["p50_ms"] for x in rs]),
            "p99_ms": median([x["p99_ms"] for x in rs]),
            "rounds": rs,
        }
    for name, r in results.items():
        for base in ("direct-h2c", "haproxy-h2c", "nginx-h2c", "yarp-h2c"):
            if base in results:
                b = results[base]["rounds"]
                r[f"rps_vs_{base}"] = median([r["rounds"][i]["rps"] / b[i]["rps"] for i in range(len(b))])
    return {"targets": results, "skipped": skipped}


# ---------------------------------------------------------------- many connections

def parse_latency_distribution(out):
    """wrk --latency: '     99%    3.45ms' lines, in ms."""
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    found = {}
    for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        found[int(pct)] = float(value) * scale[unit]
    return found


def run_many_connections(active):
    """wrk -c MANY_CONNECTIONS keep-alive connections against each running HTTP/1.1 target: errors, p99, RSS (peak reset first)."""
    results = {}
    for name, port, kind, _ in active:
        pid = PROCS[name].pid
        reset_peak_rss(pid)
        cpu0 = cpu_seconds(pid)
        cmd = ["taskset", "-c", GEN_CPU, "wrk", "-t1", f"-c{MANY_CONNECTIONS}", f"-d{MANY_SECONDS}s", "--timeout", "10s",
               "--latency", "-H", f"Host: {HOST}", f"http://127.0.0.1:{port}{PATH}"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=MANY_SECONDS + 60).stdout
        write(f"{WORK}/raw/{name}-c{MANY_CONNECTIONS}-wrk.txt", out)
        w = parse_wrk(out)
        lat = parse_latency_distribution(out)
        results[name] = {
            "rps": w["rps"],
            "errors": w["socket_errors"],
            "non_2xx": w["non_2xx"],
            "p50_ms": lat.get(50),
            "p99_ms": lat.get(99),
            "cpu_ms_per_1k": (cpu_seconds(pid) - cpu0) * 1000 / (w["requests"] / 1000) if w["requests"] else None,
            "peak_rss_mb": (status_kb(pid, "VmHWM") or 0) / 1024,
        }
        r = results[name]
        log(f"  {name} at {MANY_CONNECTIONS} connections: {r['rps']:.0f} rps, {r['errors']} socket errors, "
            f"{r['non_2xx']} non-2xx, p99 {fmt(r['p99_ms'])} ms, peak RSS {r['peak_rss_mb']:.1f} MB")
    return results


# ---------------------------------------------------------------- start-up

STARTUP_TARGETS = ["mesh-aot", "mesh", "yarp-aot", "yarp"]


def first_answer(port):
    """One request on a fresh connection; True when it is the backend's exact answer."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(f"GET {PATH} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            return data.startswith(b"HTTP/1.1 200") and data.endswith(BODY.encode())
    except OSError:
        return False


def run_startup():
    """Time from exec to the first proxied 200 (a request tried every millisecond), STARTUPS times per target."""
    results = {}
    port = 18301
    for name in STARTUP_TARGETS:
        cmd = command_for(name, port)
        if cmd is None:
            continue
        times = []
        for _ in range(STARTUPS):
            t0 = time.monotonic()
            proc = subprocess.Popen(["taskset", "-c", TARGET_CPU] + cmd, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, cwd=target_cwd(), start_new_session=True)
            try:
                while time.monotonic() - t0 < 30 and proc.poll() is None:
                    if first_answer(port):
                        times.append((time.monotonic() - t0) * 1000)
                        break
                    time.sleep(0.001)
            finally:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            time.sleep(0.2)
        if times:
            results[name] = {"median_ms": median(times), "min_ms": min(times), "runs_ms": times}
            log(f"  start-up {name}: median {results[name]['median_ms']:.0f} ms, best {results[name]['min_ms']:.0f} ms")
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["--render"]:
        render()
        sys.exit(0)
    try:
        main()
    finally:
        stop_all()
