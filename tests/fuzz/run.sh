#!/usr/bin/env bash
# Fuzzes Mesh's parsers with SharpFuzz 2.3.0 + AFL++ (Debian's afl++), one target after another.
#
#   tests/fuzz/run.sh                      # every target, 120 s each
#   tests/fuzz/run.sh -V 60 deadline config
#
# Targets (tests/fuzz/Mesh.Fuzz.Targets/FuzzTargets.cs): deadline, retry-after, tap-query, listen-address, config.
# Seeds come from tests/Mesh.Core.Tests/Fuzz/corpus/<target>/ (the corpus FuzzRegressionTests replays in CI);
# crashes found are copied back there as crash-<sha1>, so they become regression tests. Work files (the
# instrumented build, AFL's findings) go to tests/fuzz/.work/, which git ignores. Not part of .ci/run.
# CPU-heavy: everything runs under `nice -n 19`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/tests/Mesh.Core.Tests/Fuzz/corpus"
work="${FUZZ_WORK:-$here/.work}"
seconds=120
all=(deadline retry-after tap-query listen-address config)

while getopts "V:h" opt; do
  case $opt in
    V) seconds=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PATH="$PATH:$HOME/.dotnet/tools"

# Tools: afl++ from Debian, SharpFuzz's instrumenter as a global dotnet tool.
command -v afl-fuzz >/dev/null || "$here/../../.ci/apt-install" fuzz/run.sh afl++
if ! dotnet tool list --global | grep -qi '^sharpfuzz.commandline *2\.3\.0'; then
  dotnet tool uninstall --global SharpFuzz.CommandLine >/dev/null 2>&1 || true
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
fi

# Publish the harness, then instrument Mesh's own assemblies (never the harness or SharpFuzz).
rm -rf "$work/out"
mkdir -p "$work"
nice -n 19 dotnet publish "$here/Mesh.Fuzz/Mesh.Fuzz.csproj" -c Release -o "$work/out" -v quiet -nologo
for dll in Mesh.Core.dll Mesh.ProxyHost.dll; do
  sharpfuzz "$work/out/$dll" || { echo "run.sh: sharpfuzz failed on $dll" >&2; exit 1; }
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1

afl_stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$2"; }
summary="$work/summary.md"
{
  echo "| target | seconds | execs | execs/s | corpus (paths) | stability | crashes | hangs |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$summary"

status=0 crashed=0
for t in "${targets[@]}"; do
  [ -d "$corpus/$t" ] || { echo "run.sh: no corpus folder for target '$t'" >&2; exit 2; }
  in="$work/in/$t" findings="$work/findings/$t"
  rm -rf "$in" "$findings"
  mkdir -p "$in" "$work/findings"
  cp "$corpus/$t"/* "$in/"
  dict=()
  [ -f "$here/dict/$t.dict" ] && dict=(-x "$here/dict/$t.dict")
  echo "run.sh: fuzzing $t for ${seconds}s"
  nice -n 19 afl-fuzz -V "$seconds" -i "$in" -o "$findings" -t 5000 -m none "${dict[@]}" \
    -- dotnet "$work/out/Mesh.Fuzz.dll" "$t" >"$work/$t.log" 2>&1 || {
      echo "run.sh: afl-fuzz failed for $t; see $work/$t.log" >&2; tail -20 "$work/$t.log" >&2; status=1; continue; }

  s="$findings/default/fuzzer_stats"
  crashes=$(afl_stat saved_crashes "$s")
  for f in "$findings"/default/crashes/id:*; do
    [ -e "$f" ] || continue
    cp "$f" "$corpus/$t/crash-$(sha1sum "$f" | cut -c1-12)"
  done
  ((crashes == 0)) || { status=1; crashed=1; }
  echo "| $t | $seconds | $(afl_stat execs_done "$s") | $(afl_stat execs_per_sec "$s") | $(afl_stat corpus_count "$s") | $(afl_stat stability "$s") | $crashes | $(afl_stat saved_hangs "$s") |" >>"$summary"
done

cat "$summary"
((crashed == 0)) || echo "run.sh: crashes were copied to $corpus/<target>/crash-*; replay one with: dotnet $work/out/Mesh.Fuzz.dll <target> < FILE" >&2
exit "$status"
