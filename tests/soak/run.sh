#!/usr/bin/env bash
# A soak of the sidecar under mixed faults, loopback only (not part of .ci/run).
#
#   tests/soak/run.sh                          # 600 s at 100 requests/s
#   DURATION=60 RATE=50 tests/soak/run.sh      # a short one
#
# Builds Mesh.ProxyHost (Release), starts three backends (backend.py: healthy; flaky = a seeded 20% 503;
# chaos = a seeded 10% hang 2 s, 10% connection closed with no response), one sidecar with service "soak" ->
# the three, and drives open-loop load through its outbound listener (load.py: half GETs, half POSTs of 1-16 KiB,
# bodies hash-checked by the backends, POSTs without an Idempotency-Key checked never processed twice), sampling every 10 s: requests,
# client-seen failures and latency, the sidecar's RSS, fds and TCP connections, and its /stats.
# Writes tests/soak/results/soak-<date>.csv and soak-<date>.md. The sidecar and load generator run under nice.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${DURATION:-600}
rate=${RATE:-100}
workers=${WORKERS:-32}
seed=${SEED:-7}
work="$here/.work"
results="$here/results"
stamp=$(date -u +%Y%m%d-%H%M%S)
csv="$results/soak-$stamp.csv"
md="$results/soak-$stamp.md"
mkdir -p "$work" "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "soak: publishing the sidecar (Release)"
nice -n 19 dotnet publish "$root/src/Mesh.ProxyHost/Mesh.ProxyHost.csproj" -c Release -o "$work/sidecar" -v quiet -nologo

modes=(healthy flaky chaos)
ports=()
for i in 0 1 2; do
  ports[i]=$(free_port)
  : >"$work/processed-${modes[i]}.txt"
  python3 "$here/backend.py" "${ports[i]}" "${modes[i]}" "$((seed + i))" "$work/processed-${modes[i]}.txt" >"$work/backend-${modes[i]}.log" 2>&1 &
  pids+=($!)
done
out=$(free_port) out2=$(free_port) admin=$(free_port)

args=(
  "--Mesh:Proxy:Outbound:Listen=127.0.0.1:$out" "--Mesh:Proxy:Outbound:ListenHttp2=127.0.0.1:$out2"
  --Mesh:Proxy:Inbound:Listen= "--Mesh:Admin:Listen=127.0.0.1:$admin" --Logging:LogLevel:Default=Warning
)
for i in 0 1 2; do args+=("--Services:soak:http:$i=http://127.0.0.1:${ports[i]}"); done
(cd "$work/sidecar" && exec nice -n 19 dotnet Mesh.ProxyHost.dll "${args[@]}") >"$work/sidecar.log" 2>&1 &
sidecar=$!
pids+=("$sidecar")

for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$admin/ready" 2>/dev/null && break
  kill -0 "$sidecar" 2>/dev/null || { echo "soak: the sidecar exited" >&2; cat "$work/sidecar.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null -H 'Host: soak' "http://127.0.0.1:$out/warmup" || true
echo "soak: backends ${ports[*]} (${modes[*]}), sidecar pid $sidecar outbound $out admin $admin; ${duration}s at ${rate}/s"

nice -n 19 python3 "$here/load.py" --port "$out" --admin "$admin" --pid "$sidecar" --service soak \
  --backend-ports "$(IFS=,; echo "${ports[*]}")" --rate "$rate" --workers "$workers" --duration "$duration" \
  --csv "$csv" --summary "$work/summary.md"

alive=yes
kill -0 "$sidecar" 2>/dev/null || alive=no
cleanup
pids=()

{
  echo "# Soak $stamp"
  echo
  echo "Sidecar: Mesh.ProxyHost (Release, default policies: MaxRetries 2, budget 20% + 10/s, failure accrual on)."
  echo "Service \`soak\` -> three loopback backends: healthy, flaky (seeded 20% 503), chaos (seeded 10% hang 2 s,"
  echo "10% connection closed before any response). Samples every 10 s: [soak-$stamp.csv](soak-$stamp.csv)."
  echo "Sidecar still running at the end: $alive."
  echo
  cat "$work/summary.md"
  echo
  echo "What the backends saw (attempts, after the sidecar's retries and balancing):"
  echo
  echo '```'
  for m in "${modes[@]}"; do tail -1 "$work/backend-$m.log"; done
  echo '```'
  echo
  # POSTs the backends processed (answered 200), across all three: none without a key may appear twice.
  python3 - "$work"/processed-*.txt <<'PY'
import collections, sys
seen = collections.Counter()
keyed = set()
for name in sys.argv[1:]:
    for line in open(name):
        path, key = line.split()
        seen[path] += 1
        if key != "-":
            keyed.add(path)
plain = [p for p in seen if p not in keyed]
print(f"POSTs processed: {len(seen)} distinct ({sum(seen.values())} in all); without a key {len(plain)}, "
      f"of them processed more than once: **{sum(1 for p in plain if seen[p] > 1)}**; with a key processed more than "
      f"once: {sum(1 for p in keyed if seen[p] > 1)} (allowed: a retry after a lost answer).")
PY
} >"$md"
echo "soak: wrote $csv and $md"
[ "$alive" = yes ]
