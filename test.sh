#!/usr/bin/env bash
# Runs the whole Mesh test suite on a fresh Debian machine with the .NET SDK:
# installs the Debian packages the tests need, restores, builds and runs `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use: chromium for the dashboard test (driven by Playwright, never downloaded);
# dnsmasq-base (the bare binary, no system service) for the DNS discovery tests; iproute2 (ip netns) and curl for
# the multi-host test in network namespaces; prometheus (which brings promtool) for the Prometheus tests; nodejs for
# the keep-alive race tests (a Node http server as a backend); python3-grpcio for a gRPC caller written by others;
# python3-requests, redis-server and redis-tools for the transparent sidecar's
# namespace tests (unchanged programs whose connections iptables sends to the sidecar); clang for the NativeAOT sidecar
# tests (the publish compiles and links with it; it brings binutils' linker and objcopy, and the compiler carries its
# own zlib, so neither lld nor zlib1g-dev is needed).
.ci/apt-install test.sh curl chromium dnsmasq-base iproute2 iptables prometheus nodejs python3-grpcio python3-requests redis-server redis-tools clang

# Each sidecar a test starts watches its configuration file, and every FileSystemWatcher takes one of the user's inotify
# instances (128 by default): the test assemblies run side by side, so as root, allow more.
if [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 1024)" -lt 1024 ]; then
  sysctl -qw fs.inotify.max_user_instances=1024 || echo "test.sh: could not raise fs.inotify.max_user_instances" >&2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet restore Mesh.sln
# The NativeAOT tests publish the sidecar as NativeAotPublish does (linux-x64, PublishAot): its packages (the ILCompiler,
# the linux-x64 runtime packs) are restored here, so that the test's publish finds them all in the packages folder. The
# restore writes into a folder of its own (--artifacts-path), as the test's publish does: the checkout's obj/ stays as
# the build below wants it.
aot_restore=$(mktemp -d)
dotnet restore src/Mesh.ProxyHost/Mesh.ProxyHost.csproj -r linux-x64 -p:PublishAot=true --artifacts-path "$aot_restore"
rm -rf "$aot_restore"
dotnet build Mesh.sln -c Release --no-restore

# No known-vulnerable package, direct or transitive (advisories come from the NuGet source).
vulnerable=$(dotnet list Mesh.sln package --vulnerable --include-transitive 2>&1 || true)
if grep -q "has the following vulnerable packages" <<<"$vulnerable"; then
  echo "$vulnerable"
  echo "test.sh: known-vulnerable packages found" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Mesh.sln -c Release --no-build "$@" 2>&1 | tee "$log" || status=$?

# One closing line for CI: the totals over every test assembly.
awk '/(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:")  { f += $(i+1) }
         if ($i == "Passed:")  { p += $(i+1) }
         if ($i == "Skipped:") { s += $(i+1) }
       }
     }
     END { gsub(",", "", p); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
