#!/usr/bin/env python3
"""CPU profile of proxies at steady load, side by side, in microseconds of CPU per request by component.

    python3 bench/load/profile.py TARGET [TARGET ...]     # e.g. mesh yarp mesh-h2c yarp-h2c mesh-aot yarp-aot

Needs the load suite's builds (bench/load/run.sh, or `SKIP_BUILD=1` after one) in /tmp/mesh-bench/build and perf
(Debian's linux-perf). Each target runs alone on CPU 1 beside the suite's nginx backend, exactly as in the suite
(same command lines and ports), is warmed up as the suite warms it (60 s JIT, 10 s NativeAOT), then loaded for
PROFILE_SECONDS (default 14) by wrk -c32 (HTTP/1.1) or h2load -c8 -m16 (names ending in -h2c) on CPU 0 while
`perf record -F FREQ` samples it for all but the first and last 2 s. JIT code is named through the runtime's perf map
(DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0, set for the .NET JIT targets only); NativeAOT code
through its symbols.

Samples are turned into CPU time per request (the CPU time perf sampled over the requests in the sampled window) and grouped: the
kernel (sockets, scheduling), the native runtime, and managed code by assembly family. Under perf a proxy runs a little
slower than in the suite; read the columns against each other. Writes RESULTS/profile.md (default bench/results).
"""
import collections
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

here = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("RESULTS", os.path.join(here, "..", "results"))
os.environ.setdefault("BUILD", "/tmp/mesh-bench/build")
sys.path.insert(0, here)
import loadbench as lb  # noqa: E402

FREQ = int(os.environ.get("FREQ", "1999"))
SECONDS = int(os.environ.get("PROFILE_SECONDS", "14"))
TOP = int(os.environ.get("TOP", "12"))

# Managed code by assembly family; JIT frames carry "[Assembly] Namespace.Type::Method", NativeAOT symbols a mangled
# prefix of the assembly's name (S_P_CoreLib_ for System.Private.CoreLib).
FAMILIES = [
    ("Mesh", ("Mesh.", "Mesh_")),
    ("Polly", ("Polly.", "Polly_")),
    ("OpenTelemetry", ("OpenTelemetry", "OpenTelemetry_")),
    ("YARP", ("Yarp.", "Yarp_")),
    ("Kestrel, ASP.NET Core", ("Microsoft.AspNetCore", "Microsoft_AspNetCore")),
    ("System.Net.Http", ("System.Net.Http", "System_Net_Http")),
    ("System.Net.Sockets, Pipelines", ("System.Net.Sockets", "System_Net_Sockets", "System.IO.Pipelines", "System_IO_Pipelines")),
    ("CoreLib, other BCL", ("System.", "System_", "S_P_", "Microsoft.Extensions", "Microsoft_Extensions")),
]
KERNEL, RUNTIME = "kernel (TCP, epoll, scheduling)", "native runtime (GC, JIT, libc, stubs)"
ROWS = [KERNEL, RUNTIME] + [f for f, _ in FAMILIES] + ["other"]


def family_of(dso, sym):
    if dso.startswith("[kernel"):
        return KERNEL
    if dso.startswith("[JIT]"):
        m = re.search(r"\[([\w.]+)\] [\w.`+<>]+::", sym)
        name = m.group(1) if m else ""
        if not m:  # generic instantiations name their type first; stubs are the runtime's
            if sym.startswith("stub"):
                return RUNTIME
            m = re.search(r"\[([\w.]+)\]", sym)
            name = m.group(1) if m else ""
    elif dso.endswith((".so", ".so.6", ".so.2")) or dso.startswith("[vdso") or dso.startswith("lib") or dso.startswith("ld-"):
        return RUNTIME
    else:  # a NativeAOT binary, or an R2R image named by its dll
        name = sym if not dso.endswith(".dll") else dso
        if not re.match(r"[A-Za-z]+[._]", name):
            return RUNTIME
    for family, prefixes in FAMILIES:
        if name.startswith(prefixes):
            return family
    return "other" if name else RUNTIME


def short(sym):
    s = re.sub(r"\[(Optimized|Tier|QuickJitted|Instrumented|PreJIT)[^\]]*\]", "", sym)
    s = re.sub(r"\b(valuetype|class|instance) |\[System\.Runtime\]", "", s)
    s = re.sub(r"\(.*", "", s)
    return s.strip()[:140]


def load(name, port, seconds):
    """Runs the target's load generator for `seconds`; returns the requests it completed."""
    if name.endswith("-h2c"):
        _, r = lb.h2load_max(port, seconds)
        return r["requests"], r["failed"] + r["non_2xx"]
    w = lb.parse_wrk(lb.wrk(port, seconds))
    return w["requests"], w["non_2xx"]


def profile(name):
    h2 = name.endswith("-h2c")
    entry = next((t for t in (lb.H2_TARGETS if h2 else lb.TARGETS) if t[0] == name), None)
    if entry is None:
        raise SystemExit(f"unknown target {name}")
    _, port, kind, desc = entry
    cmd = lb.h2_command_for(name, port) if h2 else lb.command_for(name, port)
    if cmd is None:
        raise SystemExit(f"{name}: not built (run bench/load/run.sh first)")
    dotnet = cmd[0] == "dotnet"
    # The perf map names JIT code; with W^X on, that code runs from a double mapping perf cannot attribute.
    lb.TARGET_ENV[name] = {"DOTNET_PerfMapEnabled": "1", "DOTNET_EnableWriteXorExecute": "0"} if dotnet else {}
    proc = lb.start(name, cmd)
    try:
        (lb.h2_ready if h2 else lb.wait_ready)(name, port)
        warm = {"dotnet": lb.WARMUP_DOTNET, "aot": lb.WARMUP_AOT}.get(kind, lb.WARMUP_NATIVE)
        lb.log(f"{name}: warm-up {warm}s")
        load(name, port, warm)
        data = f"{lb.WORK}/perf-{name}.data"
        result = {}
        loader = threading.Thread(target=lambda: result.update(zip(("requests", "bad"), load(name, port, SECONDS))))
        loader.start()
        time.sleep(2)
        subprocess.run(["perf", "record", "-q", "-F", str(FREQ), "-p", str(proc.pid), "-o", data, "--", "sleep", str(SECONDS - 4)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        loader.join()
    finally:
        lb.stop(name)
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio", "-g", "none"],
                            capture_output=True, text=True, check=True).stdout
    # cpu-clock's event count is the CPU time sampled, in nanoseconds.
    cpu_ns = int(re.search(r"# Event count \(approx\.\): (\d+)", report).group(1))
    samples = re.search(r"# Samples: (\S+)", report).group(1)
    sampled_requests = result["requests"] * (SECONDS - 4) / SECONDS
    families = collections.Counter()
    symbols = collections.Counter()
    total_pct = 0.0
    for line in report.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+(\S.*?)\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2).strip(), m.group(3)
        total_pct += pct
        fam = family_of(dso, sym)
        families[fam] += pct
        if fam in ("Mesh", "Polly", "OpenTelemetry", "YARP"):
            symbols[(fam, short(sym))] += pct
    scale = cpu_ns / 1000 / 100 / sampled_requests  # percent of samples -> us per request
    lb.log(f"{name}: {result['requests'] / SECONDS:.0f} rps under perf, {samples} samples, {scale * 100:.1f} us of CPU per request")
    return {
        "name": name, "desc": desc, "rps": result["requests"] / SECONDS, "bad": result["bad"], "samples": samples,
        "us_per_request": scale * total_pct,
        "families": {f: v * scale for f, v in families.items()},
        "symbols": [(f, s, v * scale) for (f, s), v in symbols.most_common()],
    }


def markdown(runs, started):
    names = [r["name"] for r in runs]
    out = [f"# CPU per request by component ({started:%Y-%m-%d %H:%M} UTC, bench/load/profile.py)", "",
           f"Each target alone on CPU 1 beside the nginx backend, warmed up as in the load suite, then {SECONDS} s of closed-loop "
           f"load (wrk -c32, or h2load -c8 -m16 for -h2c) on CPU 0 while `perf record -F {FREQ}` sampled it for {SECONDS - 4} s. "
           "Microseconds of the proxy's CPU per request: the CPU time perf sampled over the requests in the sampled window; perf slows a "
           "proxy a little, so compare columns, not these totals with the suite's.", "",
           "| µs per request | " + " | ".join(names) + " |", "|---|" + "--:|" * len(names)]
    for row in ROWS:
        if any(r["families"].get(row, 0) >= 0.05 for r in runs):
            out.append(f"| {row} | " + " | ".join(f"{r['families'].get(row, 0):.2f}" for r in runs) + " |")
    out.append("| **total** | " + " | ".join(f"**{r['us_per_request']:.2f}**" for r in runs) + " |")
    out.append("| requests/s under perf | " + " | ".join(f"{r['rps']:.0f}" for r in runs) + " |")
    out.append("| samples | " + " | ".join(str(r["samples"]) for r in runs) + " |")
    for r in runs:
        top = [s for s in r["symbols"] if s[0] != "YARP"][:TOP]
        if top:
            out += ["", f"{r['name']}: the largest self times in Mesh, Polly and OpenTelemetry code (µs per request)", ""]
            out += [f"- {v:.3f} {f}: `{s}`" for f, s, v in top]
    return "\n".join(out) + "\n"


def main():
    targets = sys.argv[1:] or ["mesh", "yarp"]
    lb.ensure_ports_free()
    started = datetime.now(timezone.utc)
    lb.write(f"{lb.WORK}/nginx-backend.conf", lb.nginx_backend_conf())
    lb.start("backend", ["nginx", "-c", f"{lb.WORK}/nginx-backend.conf", "-p", lb.WORK, "-e", f"{lb.WORK}/nginx-backend.err"])
    try:
        lb.wait_ready("backend", lb.BACKEND_PORT)
        runs = [profile(name) for name in targets]
    finally:
        lb.stop_all()
    path = os.path.join(lb.RESULTS, os.environ.get("PROFILE_NAME", "profile-sidecar.md"))
    lb.write(path, markdown(runs, started))
    print(open(path).read())


if __name__ == "__main__":
    main()
