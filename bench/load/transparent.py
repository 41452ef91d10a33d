#!/usr/bin/env python3
"""Mesh transparent-mode suite (issue 15): the sidecar behind `mesh iptables`-style REDIRECT rules, in two network
namespaces this script makes and removes (app: the load generator and the proxies; srv: the backends, over a veth).

Called by run.sh after loadbench.py (needs root); see bench/README.md. Measures, interleaved over rounds:
- HTTP through interception vs the explicit port: wrk to the backend's own address (redirected to 4140, the address one
  of service "bench"'s endpoints) against wrk to 127.0.0.1:4140 with Host: bench, the same sidecar process. Target:
  transparent within 5 % of explicit.
- Opaque TCP against HAProxy in `mode tcp` (1 thread) in front of the same backends: bulk throughput (iperf3, one
  stream, each way) and connection rate (wrk with Connection: close to an nginx port listed in
  Mesh:Proxy:OpaquePorts, so every request is a new TCP connection). Target: Mesh >= 0.8x HAProxy.
Writes bench/results/transparent.{json,md}.
"""
import json
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadbench as lb  # noqa: E402  (its wrk parsing, /proc readers, settings)

WORK, BUILD, RESULTS = lb.WORK, lb.BUILD, lb.RESULTS
TAG = f"meshtp{os.getpid() % 10000}-{secrets.token_hex(2)}"
APP, SRV = f"{TAG}-app", f"{TAG}-srv"
APP_IP, SRV_IP = "10.213.0.1", "10.213.0.2"
HTTP_PORT, CONN_PORT, IPERF_PORT = 8080, 8081, 5201
HAPROXY_CONN, HAPROXY_BULK = 18090, 18091
PROXY_UID = "2102"
TCP_SECONDS = int(os.environ.get("TCP_SECONDS", "5" if lb.QUICK else "10"))
PROCS = {}


def sh(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, capture_output=True, text=True, **kw)


def ns(name, *cmd, **kw):
    return sh("ip", "netns", "exec", name, *cmd, **kw)


def start(name, namespace, cmd, cpu=lb.TARGET_CPU):
    out = open(f"{WORK}/tp-{name}.log", "w")
    PROCS[name] = subprocess.Popen(["ip", "netns", "exec", namespace, "taskset", "-c", cpu] + cmd,
                                   stdout=out, stderr=subprocess.STDOUT, cwd=lb.target_cwd(), start_new_session=True)
    return PROCS[name]


def pid_in(name):
    """The pid of the program itself (ip netns exec and taskset exec it, so it is the Popen's pid after setpriv/env)."""
    return PROCS[name].pid


def lab_up():
    sh("ip", "netns", "add", APP)
    sh("ip", "netns", "add", SRV)
    sh("ip", "-n", APP, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", SRV)
    for name, ip in ((APP, APP_IP), (SRV, SRV_IP)):
        sh("ip", "-n", name, "addr", "add", f"{ip}/24", "dev", "eth0")
        sh("ip", "-n", name, "link", "set", "eth0", "up")
        sh("ip", "-n", name, "link", "set", "lo", "up")
    # What `mesh iptables apply` installs for outbound traffic (docs/interception.md), without the CLI build.
    ns(APP, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-m", "owner", "--uid-owner", PROXY_UID, "-j", "RETURN")
    ns(APP, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-o", "lo", "-j", "RETURN")
    ns(APP, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", "4140")


def lab_down():
    for proc in PROCS.values():
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, 15)
            except ProcessLookupError:
                pass
    for proc in PROCS.values():
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
    sh("ip", "netns", "del", APP, check=False)
    sh("ip", "netns", "del", SRV, check=False)


def backend_conf():
    root = f"{WORK}/www"
    lb.write(f"{root}/index.txt", lb.BODY)
    return lb.nginx_conf("tp", f"""
    keepalive_timeout 300s;
    default_type text/plain;
    server {{
        listen 0.0.0.0:{HTTP_PORT};
        listen 0.0.0.0:{CONN_PORT};
        root {root};
        location / {{ }}
    }}""")


def haproxy_tcp_conf():
    return f"""
global
    nbthread 1
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
listen conn
    bind 127.0.0.1:{HAPROXY_CONN}
    server s1 {SRV_IP}:{CONN_PORT}
listen bulk
    bind 127.0.0.1:{HAPROXY_BULK}
    server s1 {SRV_IP}:{IPERF_PORT}
"""


def sidecar_cmd():
    exe = f"{BUILD}/mesh/Mesh.ProxyHost.dll"
    if not os.path.exists(exe):
        raise SystemExit(f"transparent.py: {exe} is missing (run.sh builds it)")
    return ["setpriv", f"--reuid={PROXY_UID}", f"--regid={PROXY_UID}", "--clear-groups", "env", "HOME=/tmp",
            "dotnet", exe,
            f"--Services:{lb.HOST}:http:0=http://{SRV_IP}:{HTTP_PORT}",
            "--Mesh:Proxy:Outbound:Listen=127.0.0.1:4140", "--Mesh:Proxy:Outbound:ListenHttp2=",
            "--Mesh:Proxy:Inbound:Listen=", "--Mesh:Admin:Listen=127.0.0.1:4191",
            f"--Mesh:Proxy:OpaquePorts={CONN_PORT},{IPERF_PORT}"]


def wait_http(url, host=None, timeout=60):
    end = time.time() + timeout
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url]
    if host:
        args[1:1] = ["-H", f"Host: {host}"]
    while time.time() < end:
        if ns(APP, *args, check=False).stdout == "200":
            return
        time.sleep(0.3)
    raise RuntimeError(f"{url} never answered 200 from {APP}")


def wrk(url, seconds, host=None, close=False):
    cmd = ["taskset", "-c", lb.GEN_CPU, "wrk", "-t1", f"-c{lb.CONNECTIONS}", f"-d{seconds}s"]
    if host:
        cmd += ["-H", f"Host: {host}"]
    if close:
        cmd += ["-H", "Connection: close"]
    out = ns(APP, *cmd, url, timeout=seconds + 60).stdout
    return lb.parse_wrk(out)


def iperf(port, seconds, reverse):
    cmd = ["taskset", "-c", lb.GEN_CPU, "iperf3", "-c", SRV_IP if port == IPERF_PORT else "127.0.0.1", "-p", str(port),
           "-t", str(seconds), "-J"] + (["-R"] if reverse else [])
    result = json.loads(ns(APP, *cmd, timeout=seconds + 60).stdout)
    return result["end"]["sum_received"]["bits_per_second"] / 8 / 1e6  # MB/s


def measure(pid, round_no):
    cpu0 = lb.cpu_seconds(pid)
    # The two HTTP runs swap order every round, so drift on a shared machine does not favour one.
    def run_explicit():
        return wrk("http://127.0.0.1:4140" + lb.PATH, lb.WRK_SECONDS, host=lb.HOST)

    def run_transparent():
        return wrk(f"http://{SRV_IP}:{HTTP_PORT}" + lb.PATH, lb.WRK_SECONDS)

    if round_no % 2:
        explicit, transparent = run_explicit(), run_transparent()
    else:
        transparent, explicit = run_transparent(), run_explicit()
    mesh_conn = wrk(f"http://{SRV_IP}:{CONN_PORT}" + lb.PATH, lb.WRK_SECONDS, close=True)
    haproxy_conn = wrk(f"http://127.0.0.1:{HAPROXY_CONN}" + lb.PATH, lb.WRK_SECONDS, close=True)
    mesh_up = iperf(IPERF_PORT, TCP_SECONDS, reverse=False)
    haproxy_up = iperf(HAPROXY_BULK, TCP_SECONDS, reverse=False)
    mesh_down = iperf(IPERF_PORT, TCP_SECONDS, reverse=True)
    haproxy_down = iperf(HAPROXY_BULK, TCP_SECONDS, reverse=True)
    result = {
        "http_explicit": explicit, "http_transparent": transparent,
        "conn_mesh": mesh_conn, "conn_haproxy": haproxy_conn,
        "bulk_mesh_up_MBps": mesh_up, "bulk_haproxy_up_MBps": haproxy_up,
        "bulk_mesh_down_MBps": mesh_down, "bulk_haproxy_down_MBps": haproxy_down,
        "sidecar_cpu_s": lb.cpu_seconds(pid) - cpu0,
    }
    lb.log(f"  http {explicit['rps']:.0f} rps explicit, {transparent['rps']:.0f} transparent; connections/s "
           f"{mesh_conn['rps']:.0f} mesh, {haproxy_conn['rps']:.0f} haproxy; bulk MB/s up {mesh_up:.0f} / {haproxy_up:.0f}, "
           f"down {mesh_down:.0f} / {haproxy_down:.0f} (mesh / haproxy)")
    return result


def main():
    if os.geteuid() != 0:
        raise SystemExit("transparent.py: needs root (network namespaces, iptables)")
    started = datetime.now(timezone.utc)
    lab_up()
    try:
        lb.write(f"{WORK}/nginx-tp.conf", backend_conf())
        start("backend", SRV, ["nginx", "-c", f"{WORK}/nginx-tp.conf", "-p", WORK, "-e", f"{WORK}/nginx-tp.err"])
        start("iperf3", SRV, ["iperf3", "-s", "-p", str(IPERF_PORT)])
        lb.write(f"{WORK}/haproxy-tp.cfg", haproxy_tcp_conf())
        start("haproxy", APP, ["haproxy", "-f", f"{WORK}/haproxy-tp.cfg", "-db"])
        start("mesh", APP, sidecar_cmd())
        wait_http("http://127.0.0.1:4140" + lb.PATH, host=lb.HOST)
        wait_http(f"http://{SRV_IP}:{HTTP_PORT}" + lb.PATH)
        wait_http(f"http://127.0.0.1:{HAPROXY_CONN}" + lb.PATH)
        pid = int(ns(APP, "pgrep", "-f", "Mesh.ProxyHost.dll").stdout.split()[0])

        lb.log(f"transparent: warm-up {lb.WARMUP_DOTNET}s")
        for url, host in (("http://127.0.0.1:4140", lb.HOST), (f"http://{SRV_IP}:{HTTP_PORT}", None)):
            wrk(url + lb.PATH, max(1, lb.WARMUP_DOTNET // 2), host=host)
        wrk(f"http://{SRV_IP}:{CONN_PORT}" + lb.PATH, 2, close=True)

        rounds = []
        for r in range(1, lb.ROUNDS + 1):
            lb.log(f"transparent round {r}/{lb.ROUNDS}")
            rounds.append(measure(pid, r))
    finally:
        lab_down()

    def ratio(a, b):
        return lb.median([x[a] / x[b] if not isinstance(x[a], dict) else x[a]["rps"] / x[b]["rps"] for x in rounds])

    summary = {
        "transparent_vs_explicit_rps": ratio("http_transparent", "http_explicit"),
        "conn_rate_vs_haproxy": ratio("conn_mesh", "conn_haproxy"),
        "bulk_up_vs_haproxy": ratio("bulk_mesh_up_MBps", "bulk_haproxy_up_MBps"),
        "bulk_down_vs_haproxy": ratio("bulk_mesh_down_MBps", "bulk_haproxy_down_MBps"),
        "non_2xx": sum(x[k]["non_2xx"] for x in rounds for k in ("http_explicit", "http_transparent", "conn_mesh", "conn_haproxy")),
    }
    doc = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "quick": lb.QUICK, "rounds": rounds, "summary": summary,
           "settings": {"wrk_seconds": lb.WRK_SECONDS, "tcp_seconds": TCP_SECONDS, "rounds": lb.ROUNDS,
                        "connections": lb.CONNECTIONS, "generator_cpu": lb.GEN_CPU, "target_cpu": lb.TARGET_CPU}}
    os.makedirs(RESULTS, exist_ok=True)
    with open(f"{RESULTS}/transparent.json", "w") as f:
        json.dump(doc, f, indent=2)
    s = summary
    md = "\n".join([
        f"Transparent-mode run {doc['date']}{' (QUICK=1)' if lb.QUICK else ''}: two namespaces over a veth, generator on CPU "
        f"{lb.GEN_CPU}, sidecar, HAProxy and backends on CPU {lb.TARGET_CPU}; wrk -t1 -c{lb.CONNECTIONS} {lb.WRK_SECONDS} s, "
        f"iperf3 one stream {TCP_SECONDS} s; median of {lb.ROUNDS} round(s), ratios paired within each round.",
        "",
        f"- HTTP through interception vs the explicit port: {s['transparent_vs_explicit_rps']:.3f}× (target ≥ 0.95): "
        f"{'met' if s['transparent_vs_explicit_rps'] >= 0.95 else 'missed'}",
        f"- TCP connection rate vs HAProxy mode tcp: {s['conn_rate_vs_haproxy']:.2f}× (target ≥ 0.8): "
        f"{'met' if s['conn_rate_vs_haproxy'] >= 0.8 else 'missed'}",
        f"- TCP bulk throughput vs HAProxy, client to server: {s['bulk_up_vs_haproxy']:.2f}×; server to client: "
        f"{s['bulk_down_vs_haproxy']:.2f}× (target ≥ 0.8): "
        f"{'met' if min(s['bulk_up_vs_haproxy'], s['bulk_down_vs_haproxy']) >= 0.8 else 'missed'}",
        f"- non-2xx responses: {s['non_2xx']}",
        "",
    ])
    lb.write(f"{RESULTS}/transparent.md", md)
    print(md)


if __name__ == "__main__":
    main()
