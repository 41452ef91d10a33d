#!/usr/bin/env python3
"""Mesh mutual-TLS suite (issue 16): two sidecars in a chain, plaintext against mutual TLS in the same run.

Called by run.sh (`bench/load/run.sh mtls` runs this suite alone); see bench/README.md. Everything on 127.0.0.1: the load
generator on CPU 0; the nginx backend and both chains' sidecars on CPU 1.

    wrk / h2load -> caller sidecar (outbound, service "bench") -> callee sidecar (inbound) -> nginx backend

The plaintext chain's sidecars have no identity (HTTP/1.1 between them); the mutual-TLS chain's have one each (a trust
anchor and two leaves made here with openssl, ECDSA P-256, as `mesh identity` makes them), and the caller expects the
callee's SPIFFE ID, so calls between them are HTTP/2 over TLS 1.3 with client certificates, on connections the caller
keeps. Per round, both chains in turn: max throughput (wrk -t1 -c32), latency at a fixed rate (h2load --h1 -c8 at RATE
rps; clients keep their connections, and so does the caller sidecar), and the CPU both sidecars used per 1k requests.
Then the handshake rate: HANDSHAKE_CLIENTS `openssl s_time -new` processes on CPU 0, each opening a new mutual-TLS
connection to the callee's inbound port for every GET of the backend's page, for HANDSHAKE_SECONDS: connections the
inbound side completed per second, and the callee's CPU per 1k handshakes (its capacity on one core, whatever the
clients' speed). Targets (issue 16): mTLS throughput >= 0.9x plaintext, added p99 <= 0.3 ms at 5,000 rps.
Writes $RESULTS/mtls.{json,md}.
"""
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadbench as lb  # noqa: E402  (its processes, wrk/h2load runners and parsers, settings)

WORK, BUILD, RESULTS = lb.WORK, lb.BUILD, lb.RESULTS
ENV = os.environ
TRUST_DOMAIN = "bench.mesh.local"
CALLEE_ID = f"spiffe://{TRUST_DOMAIN}/ns/bench/sa/callee"
CALLER_ID = f"spiffe://{TRUST_DOMAIN}/ns/bench/sa/caller"
HANDSHAKE_CLIENTS = int(ENV.get("HANDSHAKE_CLIENTS", "4"))
HANDSHAKE_SECONDS = int(ENV.get("HANDSHAKE_SECONDS", "5" if lb.QUICK else "10"))
# Ports of their own (the explicit suite's may be in use by another run): the backend, and per chain (caller's outbound,
# callee's inbound); admin ports are these + 10, the callee's (unused) outbound its inbound + 20.
lb.BACKEND_PORT = int(ENV.get("MTLS_BACKEND_PORT", "18180"))
CHAINS = {"plaintext": (18181, 18182), "mtls": (18183, 18184)}


def sh(*cmd):
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True)


def make_identities(folder):
    """A trust anchor and a leaf per sidecar, as `mesh identity init` / `issue` make them (ECDSA P-256, SPIFFE URI SAN)."""
    os.makedirs(folder, exist_ok=True)
    ca_key, ca = f"{folder}/ca.key", f"{folder}/bundle.pem"
    sh("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca_key)
    sh("openssl", "req", "-x509", "-new", "-key", ca_key, "-out", ca, "-days", "2", "-subj", f"/O=SPIFFE/CN={TRUST_DOMAIN}",
       "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
       "-addext", "keyUsage=critical,keyCertSign,cRLSign",
       "-addext", f"subjectAltName=URI:spiffe://{TRUST_DOMAIN}")
    files = {}
    for name, spiffe in (("caller", CALLER_ID), ("callee", CALLEE_ID)):
        key, csr, crt, ext = (f"{folder}/{name}.{x}" for x in ("key", "csr", "crt", "ext"))
        lb.write(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\n"
                      f"extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:{spiffe}\n")
        sh("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{key}.ec")
        sh("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", f"{key}.ec", "-out", key)
        sh("openssl", "req", "-new", "-key", key, "-out", csr, "-subj", f"/O=SPIFFE")
        sh("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "1",
           "-extfile", ext, "-out", crt)
        files[name] = (crt, key, ca)
    return files


def identity_args(files):
    crt, key, ca = files
    return [f"--Mesh:Identity:CertificateFile={crt}", f"--Mesh:Identity:KeyFile={key}", f"--Mesh:Identity:TrustBundleFile={ca}"]


def sidecar_cmd(exe):
    return ["dotnet", exe] if exe.endswith(".dll") else [exe]


def callee_cmd(exe, port, files):
    return sidecar_cmd(exe) + [
        f"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port + 20}", "--Mesh:Proxy:Outbound:ListenHttp2=",  # unused, required
        f"--Mesh:Proxy:Inbound:Listen=127.0.0.1:{port}", "--Mesh:Proxy:Inbound:ListenHttp2=",
        f"--Mesh:Proxy:Inbound:Target=http://127.0.0.1:{lb.BACKEND_PORT}",
        f"--Mesh:Admin:Listen=127.0.0.1:{port + 10}",
    ] + (identity_args(files) if files else [])


def caller_cmd(exe, port, callee_port, files):
    return sidecar_cmd(exe) + [
        f"--Services:{lb.HOST}:http:0=http://127.0.0.1:{callee_port}",
        f"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port}", "--Mesh:Proxy:Outbound:ListenHttp2=",
        "--Mesh:Proxy:Inbound:Listen=", "--Mesh:Proxy:Inbound:ListenHttp2=",
        f"--Mesh:Admin:Listen=127.0.0.1:{port + 10}",
    ] + ([f"--Mesh:Services:{lb.HOST}:Identity={CALLEE_ID}"] + identity_args(files) if files else [])


def measure(chain, round_no):
    """wrk, then h2load at RATE, through the chain's caller; CPU of both sidecars per 1k requests."""
    port = CHAINS[chain][0]
    pids = [lb.PROCS[f"{chain}-caller"].pid, lb.PROCS[f"{chain}-callee"].pid]
    cpu = lambda: sum(lb.cpu_seconds(p) for p in pids)  # noqa: E731
    c0 = cpu()
    out = lb.wrk(port, lb.WRK_SECONDS)
    c1 = cpu()
    w = lb.parse_wrk(out)
    w["cpu_ms_per_1k"] = (c1 - c0) * 1000 / (w["requests"] / 1000) if w["requests"] else None
    lb.write(f"{WORK}/raw/mtls-{chain}-r{round_no}-wrk.txt", out)
    time.sleep(1)
    logfile = f"{WORK}/raw/mtls-{chain}-r{round_no}-h2load.log"
    c0 = cpu()
    out = lb.h2load(port, lb.LAT_SECONDS, logfile)
    c1 = cpu()
    lb.write(f"{WORK}/raw/mtls-{chain}-r{round_no}-h2load.txt", out)
    lat = lb.parse_h2load_log(logfile)
    lat["cpu_ms_per_1k"] = (c1 - c0) * 1000 / (lat["requests"] / 1000) if lat["requests"] else None
    lat["achieved_rps"] = lat["requests"] / lb.LAT_SECONDS
    bad = w["non_2xx"] + w["socket_errors"] + lat["non_2xx"]
    lb.log(f"  {chain}: {w['rps']:.0f} rps (max), p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms at {lb.RATE} rps "
           f"({lat['achieved_rps']:.0f} achieved), sidecars' cpu {w['cpu_ms_per_1k']:.1f} ms/1k req"
           + (f", {bad} FAILED (non-2xx or socket errors)" if bad else ""))
    return {"wrk": w, "latency": lat}


def handshakes(files):
    """New mutual-TLS connections per second that the callee's inbound port completes, a GET on each."""
    crt, key, ca = files
    port = CHAINS["mtls"][1]
    callee = lb.PROCS["mtls-callee"].pid
    cmd = ["taskset", "-c", lb.GEN_CPU, "openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new",
           "-time", str(HANDSHAKE_SECONDS), "-cert", crt, "-key", key, "-CAfile", ca, "-verify", "1", "-www", lb.PATH]
    c0 = lb.cpu_seconds(callee)
    started = time.time()
    clients = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(HANDSHAKE_CLIENTS)]
    outs = [p.communicate(timeout=HANDSHAKE_SECONDS + 60)[0] for p in clients]
    elapsed = time.time() - started
    c1 = lb.cpu_seconds(callee)
    total, per_connection = 0, []
    for i, out in enumerate(outs):
        lb.write(f"{WORK}/raw/mtls-s_time-{i}.txt", out)
        # "N connections in T real seconds, B bytes read per connection" (the -new pass).
        m = re.search(r"(\d+) connections in (\d+) real seconds, (\d+) bytes read per connection", out)
        if not m:
            raise SystemExit(f"openssl s_time gave no result; see {WORK}/raw/mtls-s_time-{i}.txt")
        total += int(m.group(1))
        per_connection.append(int(m.group(3)))
    result = {
        "clients": HANDSHAKE_CLIENTS,
        "seconds": HANDSHAKE_SECONDS,
        "connections": total,
        "per_second": total / elapsed,  # s_time's own "real seconds" are whole seconds
        "bytes_read_per_connection_min": min(per_connection),
        "callee_cpu_ms_per_handshake": (c1 - c0) * 1000 / total if total else None,
        "elapsed_s": elapsed,
    }
    result["per_second_per_core"] = 1000 / result["callee_cpu_ms_per_handshake"] if result["callee_cpu_ms_per_handshake"] else None
    lb.log(f"  handshakes: {result['per_second']:.0f}/s completed ({total} with {HANDSHAKE_CLIENTS} openssl s_time clients, "
           f"{min(per_connection)} bytes read per connection at least), callee cpu {result['callee_cpu_ms_per_handshake']:.2f} ms "
           f"per handshake ({result['per_second_per_core']:.0f}/s per core)")
    return result


def main():
    exe = f"{BUILD}/mesh/Mesh.ProxyHost.dll"
    if not os.path.exists(exe):
        raise SystemExit(f"{exe} is missing: run bench/load/run.sh (it builds the sidecar)")
    lb.ports_free([p for pair in CHAINS.values() for port in pair for p in (port, port + 10, port + 20)] + [lb.BACKEND_PORT])
    os.makedirs(f"{WORK}/raw", exist_ok=True)
    started = datetime.now(timezone.utc)
    info = lb.machine()
    info["openssl"] = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    ids = make_identities(f"{WORK}/mtls-identity")
    lb.log(f"mtls: QUICK={int(lb.QUICK)} rounds={lb.ROUNDS} wrk={lb.WRK_SECONDS}s latency={lb.LAT_SECONDS}s@{lb.RATE}rps "
           f"handshakes={HANDSHAKE_CLIENTS}x{HANDSHAKE_SECONDS}s warm-up {lb.WARMUP_DOTNET}s")

    lb.write(f"{WORK}/nginx-backend.conf", lb.nginx_backend_conf())
    lb.start("backend", ["nginx", "-c", f"{WORK}/nginx-backend.conf", "-p", WORK, "-e", f"{WORK}/nginx-backend.err"])
    lb.wait_ready("backend", lb.BACKEND_PORT)
    for chain, (caller, callee) in CHAINS.items():
        meshed = chain == "mtls"
        lb.start(f"{chain}-callee", callee_cmd(exe, callee, ids["callee"] if meshed else None))
        lb.wait_ready(f"{chain}-callee", callee)
        lb.start(f"{chain}-caller", caller_cmd(exe, caller, callee, ids["caller"] if meshed else None))
        lb.wait_ready(f"{chain}-caller", caller)

    for chain, (caller, _) in CHAINS.items():
        lb.log(f"warm-up {chain}: {lb.WARMUP_DOTNET}s")
        w = lb.parse_wrk(lb.wrk(caller, lb.WARMUP_DOTNET))
        if w["non_2xx"]:
            raise SystemExit(f"{chain} answered {w['non_2xx']} non-2xx responses during warm-up: misconfigured")

    rounds = {chain: [] for chain in CHAINS}
    for r in range(1, lb.ROUNDS + 1):
        lb.log(f"round {r}/{lb.ROUNDS}")
        for chain in CHAINS:
            rounds[chain].append(measure(chain, r))
    hs = handshakes(ids["caller"])
    info["loadavg_at_end"] = open("/proc/loadavg").read().strip()
    lb.stop_all()

    def paired(f):
        return lb.median([f(rounds["mtls"][i], rounds["plaintext"][i]) for i in range(lb.ROUNDS)])

    summary = {
        "rps_plaintext": lb.median([x["wrk"]["rps"] for x in rounds["plaintext"]]),
        "rps_mtls": lb.median([x["wrk"]["rps"] for x in rounds["mtls"]]),
        "throughput_ratio": paired(lambda m, p: m["wrk"]["rps"] / p["wrk"]["rps"]),
        "p99_plaintext_ms": lb.median([x["latency"]["p99_ms"] for x in rounds["plaintext"]]),
        "p99_mtls_ms": lb.median([x["latency"]["p99_ms"] for x in rounds["mtls"]]),
        "added_p50_ms": paired(lambda m, p: m["latency"]["p50_ms"] - p["latency"]["p50_ms"]),
        "added_p99_ms": paired(lambda m, p: m["latency"]["p99_ms"] - p["latency"]["p99_ms"]),
        "added_p99_best_ms": min(x["latency"]["p99_ms"] for x in rounds["mtls"]) - min(x["latency"]["p99_ms"] for x in rounds["plaintext"]),
        "cpu_ms_per_1k_plaintext": lb.median([x["wrk"]["cpu_ms_per_1k"] for x in rounds["plaintext"]]),
        "cpu_ms_per_1k_mtls": lb.median([x["wrk"]["cpu_ms_per_1k"] for x in rounds["mtls"]]),
        "failures": sum(x["wrk"]["non_2xx"] + x["wrk"]["socket_errors"] + x["latency"]["non_2xx"] for rs in rounds.values() for x in rs),
        "handshakes": hs,
    }
    doc = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "quick": lb.QUICK,
        "settings": {"rounds": lb.ROUNDS, "wrk_seconds": lb.WRK_SECONDS, "latency_seconds": lb.LAT_SECONDS, "rate": lb.RATE,
                     "wrk_connections": lb.CONNECTIONS, "h2load_clients": lb.LAT_CLIENTS, "warmup_dotnet_s": lb.WARMUP_DOTNET,
                     "handshake_clients": HANDSHAKE_CLIENTS, "handshake_seconds": HANDSHAKE_SECONDS,
                     "generator_cpu": lb.GEN_CPU, "target_cpu": lb.TARGET_CPU},
        "machine": info,
        "summary": summary,
        "rounds": rounds,
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(f"{RESULTS}/mtls.json", "w") as f:
        json.dump(doc, f, indent=2)
    table = markdown(doc)
    lb.write(f"{RESULTS}/mtls.md", table)
    print(table)
    lb.log(f"wrote {RESULTS}/mtls.json, mtls.md")


def markdown(doc):
    s, m, h = doc["settings"], doc["summary"], doc["summary"]["handshakes"]
    fmt = lb.fmt
    ratio, added, best = m["throughput_ratio"], m["added_p99_ms"], m["added_p99_best_ms"]
    p99_verdict = "met" if added <= 0.3 and best <= 0.3 else "missed" if added > 0.3 and best > 0.3 else "inconclusive"
    return "\n".join([
        f"mTLS run {doc['date']}{' (QUICK=1)' if doc['quick'] else ''}: two sidecars in a chain in front of nginx, plaintext "
        f"against mutual TLS (HTTP/2 over TLS 1.3 between the sidecars), {s['rounds']} interleaved round(s); wrk -t1 "
        f"-c{s['wrk_connections']} {s['wrk_seconds']} s; h2load --h1 -c{s['h2load_clients']} at {s['rate']} rps for "
        f"{s['latency_seconds']} s (connections reused); generator on CPU {s['generator_cpu']}, sidecars and backend on CPU "
        f"{s['target_cpu']}. Load average at start / end: {doc['machine']['loadavg_at_start']} / {doc['machine']['loadavg_at_end']}.",
        "",
        "| chain | max rps | p50 ms | p99 ms | sidecars' CPU ms/1k req |",
        "|---|--:|--:|--:|--:|",
        f"| plaintext | {fmt(m['rps_plaintext'], '.0f')} | {fmt(lb.median([x['latency']['p50_ms'] for x in doc['rounds']['plaintext']]), '.3f')} | {fmt(m['p99_plaintext_ms'], '.3f')} | {fmt(m['cpu_ms_per_1k_plaintext'], '.1f')} |",
        f"| mtls | {fmt(m['rps_mtls'], '.0f')} | {fmt(lb.median([x['latency']['p50_ms'] for x in doc['rounds']['mtls']]), '.3f')} | {fmt(m['p99_mtls_ms'], '.3f')} | {fmt(m['cpu_ms_per_1k_mtls'], '.1f')} |",
        "",
        f"- throughput mTLS / plaintext: {ratio:.2f}x (target >= 0.9): {'met' if ratio >= 0.9 else 'missed'}",
        f"- added p99 at {s['rate']} rps: {added:+.3f} ms (paired median), {best:+.3f} ms (best rounds) (target <= 0.3 ms): {p99_verdict}",
        f"- failed requests (non-2xx, socket errors): {m['failures']}",
        f"- handshake rate: {h['per_second']:.0f} new mTLS connections/s completed by the callee's inbound port "
        f"({h['clients']} openssl s_time clients on CPU {s['generator_cpu']}, {h['seconds']} s, a GET on each); the callee "
        f"spent {fmt(h['callee_cpu_ms_per_handshake'])} ms CPU per connection: {fmt(h['per_second_per_core'], '.0f')}/s per core",
    ]) + "\n"


if __name__ == "__main__":
    try:
        main()
    finally:
        lb.stop_all()
