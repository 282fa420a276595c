#!/usr/bin/env bash
# Interruption check, run by .ci/run after the unit tests. Every kill provably lands where it says: the train process
# is stopped at a test pause point (MLNETTRANSFER_TEST_PAUSE, see src/MlNetTransfer/IO/TestPausePoint.cs; compiled in
# only by the TestHooks configuration this script builds, never in the shipped package), the script
# waits for the file the process writes there, checks the state at that moment, and only then sends SIGKILL.
#  - extraction kills: paused after a random number of feature batches are in the cache; after the kill every
#    cached entry is byte-identical to an uninterrupted run's, and a final run completes the cache exactly;
#  - save kills: paused inside the atomic write of model.zip (the new model sits in a temporary file): model.zip
#    stays the previous model byte for byte; paused at the write of metrics.json, after the model: model.zip is the
#    new complete model; no temporary file is left once a run ends.
# Prints one line per check and "N passed, M failed"; exits non-zero when a check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/MlNetTransfer.Cli -c TestHooks --nologo -v q >/dev/null || { echo "build failed"; exit 1; }
cli=(dotnet src/MlNetTransfer.Cli/bin/TestHooks/net10.0/MlNetTransfer.Cli.dll)
passed=0 failed=0
check() { # $1: description; the rest: a command that must succeed
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

"${cli[@]}" sample-data --output "$work/data" --per-class 60 >/dev/null
"${cli[@]}" train --data "$work/data" --output "$work/ref" --cache "$work/ref-cache" --epochs 3 --quiet >/dev/null
total=$(find "$work/ref-cache" -name '*.feat' | wc -l)
count_features() { find "$work/run-cache" -name '*.feat' 2>/dev/null | wc -l; }
same_as_reference() { # every entry of the run's cache equals the uninterrupted run's entry
  (cd "$work/run-cache" 2>/dev/null && find . -name '*.feat') | while read -r f; do cmp -s "$work/ref-cache/$f" "$work/run-cache/$f" || exit 1; done
}

# Starts train paused at $1 (seed $2); sets $pid once the pause point is reached, or returns 1 if it never is.
start_paused() {
  rm -f "$work/paused"
  MLNETTRANSFER_TEST_PAUSE=$1 MLNETTRANSFER_TEST_PAUSE_SIGNAL="$work/paused" \
    "${cli[@]}" train --data "$work/data" --output "$work/run" --cache "$work/run-cache" --epochs 3 --seed "$2" --quiet >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    [[ -s "$work/paused" ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
kill_paused() { kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }

RANDOM=20261130
for i in 1 2 3 4; do
  before=$(count_features)
  batch=$((1 + RANDOM % 5))
  if start_paused "cached-batch:$batch" 0; then
    at_pause=$(count_features)
    kill_paused
    after=$(count_features)
    check "extraction kill $i at cached batch $batch: $after of $total features kept, none lost at the kill" \
      test "$after" -gt "$before" -a "$after" -lt "$total" -a "$after" -eq "$at_pause"
    check "extraction kill $i: every kept entry is byte-identical to the uninterrupted run's" same_as_reference
  else
    kill_paused; check "extraction kill $i: pause point cached-batch:$batch reached" false
  fi
done
"${cli[@]}" train --data "$work/data" --output "$work/run" --cache "$work/run-cache" --epochs 3 --quiet >/dev/null
check "resumed run: $total features, as many as the uninterrupted run" test "$(count_features)" -eq "$total"
check "resumed run: every entry byte-identical to the uninterrupted run's" same_as_reference

zip_ok() { python3 -c 'import sys, zipfile; sys.exit(0 if zipfile.ZipFile(sys.argv[1]).testzip() is None else 1)' "$1"; }
temporaries() { find "$work/run" -name '*.tmp' | wc -l; }
for i in 1 2 3; do
  before=$(sha256sum "$work/run/model.zip" | cut -d' ' -f1)
  if start_paused "atomic-write:model.zip" "$i"; then
    check "save kill $i: paused inside the model's atomic write (a temporary model file exists)" test "$(temporaries)" -ge 1
    kill_paused
    check "save kill $i: model.zip is the previous model byte for byte" test "$(sha256sum "$work/run/model.zip" | cut -d' ' -f1)" = "$before"
  else
    kill_paused; check "save kill $i: pause point atomic-write:model.zip reached" false
  fi
done
before=$(sha256sum "$work/run/model.zip" | cut -d' ' -f1)
if start_paused "atomic-write:metrics.json" 7; then
  kill_paused
  check "kill after the save: model.zip is the new model" test "$(sha256sum "$work/run/model.zip" | cut -d' ' -f1)" != "$before"
  check "kill after the save: the new model.zip is a complete zip" zip_ok "$work/run/model.zip"
else
  kill_paused; check "pause point atomic-write:metrics.json reached" false
fi
"${cli[@]}" train --data "$work/data" --output "$work/run" --cache "$work/run-cache" --epochs 3 --quiet >/dev/null
check "a run after the kills: model.zip complete" zip_ok "$work/run/model.zip"
check "a run after the kills: the killed runs' temporary files are gone" test "$(temporaries)" -eq 0

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
