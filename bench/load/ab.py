#!/usr/bin/env python3
"""Interleaved A/B of proxies or settings: the tool behind docs/performance.md's inline-completions figures.

    python3 bench/load/ab.py ROUNDS SECONDS NAME=PORT=COMMAND [NAME=PORT=COMMAND ...]

Every target is started at once on CPU 1 (`taskset`), warmed up as the load suite warms a JIT target (WARMUP_DOTNET,
60 s), then measured round by round (each round starting one target later) with
`wrk -t1 -c32` on CPU 0 against http://127.0.0.1:PORT/index.txt with `Host: bench` (so a backend must already serve
that, e.g. the load suite's nginx: bench/load/run.sh leaves its configuration in /tmp/mesh-bench/nginx-backend.conf).
Per round and target: requests per second and the target's CPU per request (utime + stime from /proc). Printed: the
medians, and each target's ratios to the first one paired within each round (drift on a shared machine hits all alike).
COMMAND is split on spaces; prefix it with `env VAR=value` for a setting. Example (inline socket completions on/off):

    python3 bench/load/ab.py 10 4 \\
      "yarp=18083=dotnet /tmp/mesh-bench/build/yarp/PlainYarp.dll --Listen=http://127.0.0.1:18083 --Backend=http://127.0.0.1:18080/" \\
      "on=18084=dotnet /tmp/mesh-bench/build/mesh/Mesh.ProxyHost.dll --Services:bench:http:0=http://127.0.0.1:18080 --Mesh:Proxy:Outbound:Listen=127.0.0.1:18084 --Mesh:Proxy:Outbound:ListenHttp2= --Mesh:Proxy:Inbound:Listen= --Mesh:Admin:Listen=127.0.0.1:18094" \\
      "off=18086=env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 dotnet /tmp/mesh-bench/build/mesh/Mesh.ProxyHost.dll ... (ports 18086, 18096)"
"""
import os
import signal
import statistics
import subprocess
import sys
import time

# The load suite's own settings and readers (CPUs, wrk's shape, Host and path, /proc CPU time, wrk's output); it needs
# RESULTS and BUILD only to run the suite, not for these.
os.environ.setdefault("RESULTS", "/tmp/mesh-bench/results")
os.environ.setdefault("BUILD", "/tmp/mesh-bench/build")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadbench as lb  # noqa: E402


def wrk(port, seconds):
    m = lb.parse_wrk(lb.wrk(port, seconds))
    return m["requests"], m["non_2xx"]


def main():
    rounds, seconds = int(sys.argv[1]), int(sys.argv[2])
    targets = []
    for spec in sys.argv[3:]:
        name, port, command = spec.split("=", 2)
        proc = subprocess.Popen(["taskset", "-c", lb.TARGET_CPU] + command.split(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=lb.target_cwd(), start_new_session=True)
        targets.append((name, int(port), proc))
    try:
        for name, port, proc in targets:
            for _ in range(200):
                if subprocess.run(["curl", "-sf", "-o", "/dev/null", "-H", f"Host: {lb.HOST}", f"http://127.0.0.1:{port}{lb.PATH}"]).returncode == 0:
                    break
                time.sleep(0.3)
            else:
                raise SystemExit(f"{name} on {port} does not answer 200")
            wrk(port, lb.WARMUP_DOTNET)
        results = {name: [] for name, *_ in targets}
        for r in range(rounds):
            for name, port, proc in lb.rotated(targets, r + 1):
                cpu0 = lb.cpu_seconds(proc.pid)
                requests, bad = wrk(port, seconds)
                cpu = lb.cpu_seconds(proc.pid) - cpu0
                results[name].append((requests / seconds, cpu * 1e6 / requests, bad))
            print(f"round {r + 1}: " + "  ".join(f"{n} {results[n][-1][0]:.0f} rps {results[n][-1][1]:.0f} us/req" for n in results), flush=True)
    finally:
        for _, _, proc in targets:
            os.killpg(proc.pid, signal.SIGTERM)
    base = targets[0][0]
    for name, rs in results.items():
        rps = statistics.median(x[0] for x in rs)
        vs = statistics.median(rs[i][0] / results[base][i][0] for i in range(rounds))
        cpu = statistics.median(rs[i][1] / results[base][i][1] for i in range(rounds))
        print(f"{name}: median {rps:.0f} rps, {vs:.3f}x {base} (paired), CPU per request {cpu:.3f}x {base}, non-2xx {sum(x[2] for x in rs)}")


if __name__ == "__main__":
    main()
