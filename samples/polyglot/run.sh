#!/usr/bin/env bash
# Two Python services (standard library only), each with a Mesh sidecar, all on loopback:
#
#   curl ──► frontend sidecar inbound 127.0.0.1:4143 ──► frontend.py 127.0.0.1:8080
#                                                          │ GET / with "Host: backend"
#            frontend sidecar outbound 127.0.0.1:4140 ◄────┘  (balances, retries, measures)
#                 │ Services:backend:http:0
#                 ▼
#            backend sidecar inbound 127.0.0.1:5143 ──► backend.py 127.0.0.1:9090 (a seeded 20 % answer 503)
#
# Builds the sidecar once, starts the four processes, sends 200 requests, prints what the client saw and what
# both sidecars measured, and stops everything on exit.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
requests="${REQUESTS:-200}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/mesh-polyglot.XXXXXX")"
pids=()

stop() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped; logs in $logs"
}
trap stop EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 4140 4142 4143 4191 5140 5142 5143 5191 8080 9090; do
  port_free "$port" || { echo "run.sh: 127.0.0.1:$port is already in use; stop whatever listens there first" >&2; exit 1; }
done

echo "== building the sidecar (dotnet build -c Release src/Mesh.ProxyHost)"
dotnet build "$root/src/Mesh.ProxyHost" -c Release -nologo -v quiet -clp:NoSummary >"$logs/build.log" 2>&1 \
  || { cat "$logs/build.log" >&2; exit 1; }
sidecar="$root/src/Mesh.ProxyHost/bin/Release/net10.0/Mesh.ProxyHost.dll"

start() { # start <log name> <command...>
  local name="$1"; shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids+=("$!")
}

echo "== starting backend.py, frontend.py and their sidecars (logs: $logs)"
start backend python3 "$here/backend.py" 9090
start frontend python3 "$here/frontend.py" 8080 4140

# The backend's sidecar: inbound 5143 → backend.py. It calls nothing, but has its outbound listeners all the same.
start backend-sidecar dotnet "$sidecar" \
  --Mesh:Proxy:Inbound:Listen=127.0.0.1:5143 \
  --Mesh:Proxy:Inbound:Target=http://127.0.0.1:9090 \
  --Mesh:Proxy:Inbound:Service=backend \
  --Mesh:Proxy:Outbound:Listen=127.0.0.1:5140 \
  --Mesh:Proxy:Outbound:ListenHttp2=127.0.0.1:5142 \
  --Mesh:Admin:Listen=127.0.0.1:5191

# The frontend's sidecar: inbound 4143 → frontend.py, outbound 4140 knows "backend" = the backend's sidecar.
# The backend fails 20 % of requests, as much as the default retry budget (20 %) lets retries add, so the
# sample gives "backend" a larger budget and 4 retries: a request then fails only if 5 attempts in a row do.
start frontend-sidecar dotnet "$sidecar" \
  --Mesh:Proxy:Inbound:Listen=127.0.0.1:4143 \
  --Mesh:Proxy:Inbound:Target=http://127.0.0.1:8080 \
  --Mesh:Proxy:Inbound:Service=frontend \
  --Mesh:Proxy:Outbound:Listen=127.0.0.1:4140 \
  --Mesh:Proxy:Outbound:ListenHttp2=127.0.0.1:4142 \
  --Mesh:Admin:Listen=127.0.0.1:4191 \
  --Services:backend:http:0=http://127.0.0.1:5143 \
  --Mesh:Services:backend:Retry:MaxRetries=4 \
  --Mesh:Services:backend:Retry:BudgetRatio=0.5

wait_for() { # wait_for <what> <check...>: up to 30 s
  local what="$1"; shift
  for _ in $(seq 150); do
    if "$@"; then echo "   $what is up"; return 0; fi
    sleep 0.2
  done
  echo "run.sh: $what did not come up; the logs ($logs):" >&2
  tail -n 20 "$logs"/*.log >&2
  exit 1
}
ready() { curl -fs -o /dev/null "http://127.0.0.1:$1/ready"; }
listening() { ! port_free "$1"; }  # no request: backend.py's seeded failures start with the first real one
wait_for "backend.py (127.0.0.1:9090)" listening 9090
wait_for "frontend.py (127.0.0.1:8080)" listening 8080
wait_for "backend sidecar (http://127.0.0.1:5191/ready)" ready 5191
wait_for "frontend sidecar (http://127.0.0.1:4191/ready)" ready 4191

echo
echo "== one request: curl http://127.0.0.1:4143/"
curl -s http://127.0.0.1:4143/

echo
echo "== $requests more requests; the status codes the client saw:"
for _ in $(seq "$requests"); do
  curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:4143/
done | sort | uniq -c | awk '{ printf "   %s × %s\n", $2, $1 }'

metrics() { # metrics <title> <admin port>
  echo
  echo "== $1: curl -s http://127.0.0.1:$2/metrics | grep -E '^mesh_(requests|retries)_total'"
  curl -s "http://127.0.0.1:$2/metrics" | grep -E '^mesh_(requests|retries)_total' | sed 's/^/   /' || echo "   (none)"
}
metrics "frontend sidecar (outbound to backend, inbound to frontend.py)" 4191
metrics "backend sidecar (inbound to backend.py: every attempt, failures included)" 5191
echo
