#!/usr/bin/env python3
"""Where a proxy's added latency comes from on this machine: the latency each target adds over the backend alone, by
how the load arrives, all targets started at once and measured round by round (each round starting one target later).

    RESULTS=bench/results BUILD=/tmp/mesh-bench/build python3 bench/load/latency.py [ROUNDS] [SECONDS] [TARGET ...]

Three shapes of load, each with `Host: bench` against http://127.0.0.1:PORT/index.txt from CPU 0, the targets and the
nginx backend on CPU 1, as in the load suite (run.sh leaves the builds in BUILD and starts its own backend; this script
starts the backend from the suite's configuration):

- closed loop, one connection (`wrk -t1 -c1 --latency`): the next request leaves as the last answer arrives, so the CPUs
  never idle between requests; what a target adds here is its own time on the request's path.
- open loop at 5,000 and at 500 requests/s (`h2load --h1 -c8 --rps`, as the suite's latency rounds): requests arrive on
  a schedule and the CPUs idle between them; the backend alone is slower at 500 than at 5,000 on this VM, and every
  proxy adds more than its closed-loop time. The suite's "added p99 at 5,000 rps" target is read from this shape.

Printed and written to RESULTS/latency.{json,md}: per shape and target, the medians over rounds of p50 and p99, and
what each adds over `direct` paired within each round. Default targets: direct, haproxy, yarp, mesh (TARGETS of
loadbench; mesh-aot and yarp-aot when built).
"""
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timezone

os.environ.setdefault("RESULTS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results"))
os.environ.setdefault("BUILD", "/tmp/mesh-bench/build")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadbench as lb  # noqa: E402

SLOW_RATE = 500


def closed_loop(port, seconds):
    """wrk with one connection; its --latency percentiles, in ms."""
    out = subprocess.run(["taskset", "-c", lb.GEN_CPU, "wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", "-H",
                          f"Host: {lb.HOST}", f"http://127.0.0.1:{port}{lb.PATH}"],
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    if lb.parse_wrk(out)["non_2xx"]:
        raise SystemExit(f"port {port} answered non-2xx responses: misconfigured")
    pct = lb.parse_latency_distribution(out)
    return {"p50_ms": pct[50], "p99_ms": pct[99]}


def open_loop(name, port, seconds, rate, round_no):
    logfile = f"{lb.WORK}/raw/latency-{name}-{rate}-r{round_no}.log"
    lb.h2load(port, seconds, logfile, rate)
    m = lb.parse_h2load_log(logfile)
    if m["non_2xx"]:
        raise SystemExit(f"{name} answered {m['non_2xx']} non-2xx responses: misconfigured")
    return {"p50_ms": m["p50_ms"], "p99_ms": m["p99_ms"]}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    wanted = sys.argv[3:] or ["direct", "haproxy", "yarp", "mesh", "mesh-aot"]
    shapes = [("closed loop, 1 connection", None), (f"{lb.RATE} rps", lb.RATE), (f"{SLOW_RATE} rps", SLOW_RATE)]
    lb.ensure_ports_free()
    os.makedirs(f"{lb.WORK}/raw", exist_ok=True)
    started = datetime.now(timezone.utc)
    info = lb.machine()
    lb.write(f"{lb.WORK}/nginx-backend.conf", lb.nginx_backend_conf())
    lb.start("backend", ["nginx", "-c", f"{lb.WORK}/nginx-backend.conf", "-p", lb.WORK, "-e", f"{lb.WORK}/nginx-backend.err"])
    lb.PROCS["direct"] = lb.PROCS["backend"]
    try:
        lb.wait_ready("backend", lb.BACKEND_PORT)
        active = []
        for name, port, kind, desc in lb.TARGETS:
            if name not in wanted:
                continue
            if name != "direct":
                cmd = lb.command_for(name, port)
                if cmd is None:
                    lb.log(f"skipping {name}: not built")
                    continue
                lb.start(name, cmd)
                lb.wait_ready(name, port)
            active.append((name, port, kind, desc))
        for name, port, kind, _ in active:
            lb.wrk(port, {"dotnet": lb.WARMUP_DOTNET, "aot": lb.WARMUP_AOT}.get(kind, lb.WARMUP_NATIVE))
        results = {shape: {name: [] for name, *_ in active} for shape, _ in shapes}
        for r in range(1, rounds + 1):
            for shape, rate in shapes:
                for name, port, _, _ in lb.rotated(active, r):
                    m = closed_loop(port, seconds) if rate is None else open_loop(name, port, seconds, rate, r)
                    results[shape][name].append(m)
            lb.log(f"round {r}/{rounds}: " + "; ".join(
                f"{shape}: " + " ".join(f"{n} {results[shape][n][-1]['p50_ms']:.3f}" for n, *_ in active) for shape, _ in shapes))
    finally:
        lb.stop_all()

    summary = {}
    for shape, _ in shapes:
        base = results[shape]["direct"]
        summary[shape] = {}
        for name, *_ in active:
            rs = results[shape][name]
            summary[shape][name] = {
                "p50_ms": statistics.median(x["p50_ms"] for x in rs),
                "p99_ms": statistics.median(x["p99_ms"] for x in rs),
                "added_p50_ms": statistics.median(rs[i]["p50_ms"] - base[i]["p50_ms"] for i in range(rounds)),
                "added_p99_ms": statistics.median(rs[i]["p99_ms"] - base[i]["p99_ms"] for i in range(rounds)),
                "rounds": rs,
            }
    doc = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "rounds": rounds, "seconds": seconds, "machine": info, "shapes": summary}
    os.makedirs(lb.RESULTS, exist_ok=True)
    with open(f"{lb.RESULTS}/latency.json", "w") as f:
        json.dump(doc, f, indent=2)
    table = markdown(doc, [n for n, *_ in active])
    lb.write(f"{lb.RESULTS}/latency.md", table)
    print(table)


def markdown(doc, names):
    m = doc["machine"]
    out = [f"# Added latency by shape of load ({doc['date']}, bench/load/latency.py)", "",
           f"{doc['rounds']} rounds of {doc['seconds']} s per target and shape, all targets started at once; load from CPU 0, "
           f"targets and the nginx backend on CPU 1. Guest idle: {m['cpuidle_driver']}, guest_halt_poll_ns "
           f"{m['guest_halt_poll_ns']}. Load average at start: {m['loadavg_at_start']}. "
           "Milliseconds; \"added\" is over `direct`, paired within each round, median over rounds.", "",
           "| shape | " + " | ".join(f"{n} p50 / p99" for n in names) + " |", "|---|" + "--:|" * len(names)]
    for shape, by_name in doc["shapes"].items():
        out.append(f"| {shape} | " + " | ".join(f"{by_name[n]['p50_ms']:.3f} / {by_name[n]['p99_ms']:.3f}" for n in names) + " |")
    out += ["", "| added over direct | " + " | ".join(f"{n} p50 / p99" for n in names if n != "direct") + " |",
            "|---|" + "--:|" * (len(names) - 1)]
    for shape, by_name in doc["shapes"].items():
        out.append(f"| {shape} | " + " | ".join(
            f"{by_name[n]['added_p50_ms']:+.3f} / {by_name[n]['added_p99_ms']:+.3f}" for n in names if n != "direct") + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
