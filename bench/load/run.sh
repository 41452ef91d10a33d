#!/usr/bin/env bash
# Mesh load suite, one command: installs wrk, h2load, haproxy, nginx (and clang for NativeAOT) from Debian, builds the
# Mesh sidecar and a plain YARP proxy (JIT and NativeAOT) from a snapshot of the working tree, then runs
# bench/load/loadbench.py, which measures every target interleaved against one nginx backend on 127.0.0.1 and writes
# bench/results/load.{json,md,svg}. See bench/README.md.
#
#   bench/load/run.sh              # defaults: 60 s JIT warm-up, 3 rounds of 6 s + 6 s per target (~16 min with builds)
#   QUICK=1 bench/load/run.sh      # smoke run: 5 s warm-up, 1 round of 5 s + 5 s (~4 min)
#   AOT=0 bench/load/run.sh        # skip the NativeAOT publishes (and their targets)
#   TRANSPARENT=0 bench/load/run.sh # skip the transparent-mode suite (bench/load/transparent.py: interception, opaque TCP)
#   SKIP_BUILD=1 bench/load/run.sh # reuse the builds of the last run (in $WORK/build)
#   RATE=5000 ROUNDS=3 ...         # fixed rate of the latency test, rounds; also WRK_SECONDS, LAT_SECONDS, WARMUP_DOTNET
#   MTLS=0 bench/load/run.sh       # skip the mutual-TLS suite (bench/load/mtls.py: two sidecars, plaintext vs mTLS)
#
# One suite alone: bench/load/run.sh explicit | transparent | mtls (mtls skips the NativeAOT publishes unless AOT=1):
#   QUICK=1 bench/load/run.sh mtls # smoke run of the mTLS suite (~3 min with the build); HANDSHAKE_CLIENTS, HANDSHAKE_SECONDS
set -euo pipefail
suite="${1:-all}"
case "$suite" in
  all|explicit|transparent) ;;
  mtls) AOT="${AOT:-0}" ;;
  *) echo "run.sh: unknown suite '$suite' (all, explicit, transparent, mtls)" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export WORK="${WORK:-/tmp/mesh-bench}"
export BUILD="$WORK/build"
export RESULTS="${RESULTS:-$repo/bench/results}"
AOT="${AOT:-1}"

# 1. Debian packages.
packages=(wrk nghttp2-client haproxy nginx util-linux python3 iperf3 iptables iproute2 curl openssl)
[ "$AOT" = 1 ] && packages+=(clang)
"$repo/.ci/apt-install" run.sh "${packages[@]}"
if [ "$(nproc)" -lt 2 ]; then
  echo "run.sh: needs 2 CPUs (generator on CPU 0, proxy + backend on CPU 1)" >&2
  exit 1
fi

# 2. Builds, from a snapshot of the working tree, so concurrent edits and builds in the repo cannot interfere.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ "${SKIP_BUILD:-0}" != 1 ]; then
rm -rf "$WORK/src" "$BUILD" "$WORK/raw"
mkdir -p "$WORK/src" "$BUILD"
(cd "$repo" && tar --exclude=bin --exclude=obj --exclude=.git --exclude=.playwright --exclude=node_modules -cf - \
  global.json Directory.Build.props Directory.Build.targets Directory.Packages.props BannedSymbols.txt src bench/load/PlainYarp) | tar -xf - -C "$WORK/src"
cd "$WORK/src"
echo "run.sh: building the Mesh sidecar and plain YARP (Release, JIT)"
dotnet publish src/Mesh.ProxyHost -c Release -o "$BUILD/mesh" -nologo -v q
dotnet publish bench/load/PlainYarp -c Release -o "$BUILD/yarp" -nologo -v q
if [ "$AOT" = 1 ]; then
  # The sidecar's trim/AOT warnings are collected, not fatal (TreatWarningsAsErrors is on in the repo), and committed.
  echo "run.sh: publishing NativeAOT builds (about a minute each on 2 cores)"
  for t in "mesh src/Mesh.ProxyHost" "yarp bench/load/PlainYarp"; do
    set -- $t
    if ! dotnet publish "$2" -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=false \
        -o "$BUILD/$1-aot" -nologo > "$WORK/$1-aot-publish.log" 2>&1; then
      echo "run.sh: NativeAOT publish of $1 failed; see $WORK/$1-aot-publish.log (its target is skipped)"
      rm -rf "$BUILD/$1-aot"
    fi
    grep -E "warning (IL|AOT)[0-9]+" "$WORK/$1-aot-publish.log" | sed -E "s| \[[^]]*\]$||; s|$WORK/src/||" | sort -u \
      > "$WORK/$1-aot-warnings.txt" || true
    echo "run.sh: $1 NativeAOT: $(wc -l < "$WORK/$1-aot-warnings.txt") distinct trim/AOT warnings"
  done
  mkdir -p "$RESULTS"
  {
    echo "# NativeAOT publish of the sidecar ($(date -u '+%Y-%m-%d %H:%M UTC')): distinct trim/AOT warnings"
    cat "$WORK/mesh-aot-warnings.txt"
    echo "# binaries (bytes)"
    for f in "$BUILD/mesh-aot/Mesh.ProxyHost" "$BUILD/yarp-aot/PlainYarp"; do
      [ -f "$f" ] && echo "$(stat -c %s "$f") ${f#"$BUILD/"}"
    done
  } > "$RESULTS/aot-publish.txt"
fi
fi

# 3. The measurements: the explicit sidecar against the others, then transparent mode (interception, opaque TCP against
# HAProxy mode tcp) in network namespaces of its own (root only; TRANSPARENT=0 skips it).
cd "$repo"
if [ "$suite" = all ] || [ "$suite" = explicit ]; then
  python3 "$here/loadbench.py"
fi
if { [ "$suite" = all ] && [ "${TRANSPARENT:-1}" = 1 ]; } || [ "$suite" = transparent ]; then
  if [ "$(id -u)" -eq 0 ]; then
    python3 "$here/transparent.py"
  else
    echo "run.sh: the transparent-mode suite needs root (network namespaces and iptables); skipped"
  fi
fi
# 4. Mutual TLS: two sidecars in a chain, plaintext against mTLS in the same run, and the inbound handshake rate.
if { [ "$suite" = all ] && [ "${MTLS:-1}" = 1 ]; } || [ "$suite" = mtls ]; then
  python3 "$here/mtls.py"
fi
