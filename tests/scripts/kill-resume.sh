#!/usr/bin/env bash
# Interruption check (issue 6). Passes when
#   - SIGKILL of `train` at 10 random moments during feature extraction, then one run to the end, leaves cached
#     features byte-identical to those of an uninterrupted run;
#   - SIGKILL at 10 random moments of fully cached runs (training and the model save) leaves model.zip either the
#     previous model byte for byte or a complete new one, never a torn file, and no temporary file once a run ends.
# Usage: tests/scripts/kill-resume.sh   (run by .ci/run after the unit tests)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/MlNetTransfer.Cli --nologo -v q >/dev/null
cli=(dotnet src/MlNetTransfer.Cli/bin/Debug/net10.0/MlNetTransfer.Cli.dll)

"${cli[@]}" sample-data --output "$work/data" --per-class 150 >/dev/null
"${cli[@]}" train --data "$work/data" --output "$work/ref" --cache "$work/ref-cache" --epochs 3 --quiet >/dev/null
mkdir -p "$work/run"
cp "$work/ref/model.zip" "$work/run/model.zip"

zip_ok() { python3 -c 'import sys, zipfile; sys.exit(0 if zipfile.ZipFile(sys.argv[1]).testzip() is None else 1)' "$1"; }

RANDOM=20261127
kill_at() { # $1: seconds; starts train and kills it then
  "${cli[@]}" train --data "$work/data" --output "$work/run" --cache "$work/run-cache" --epochs 3 --quiet >/dev/null 2>&1 &
  local pid=$!
  sleep "$1"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
total=$(find "$work/ref-cache" -name '*.feat' | wc -l)
for i in $(seq 1 10); do
  delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.8 + (r % 150) / 100 }')   # 0.8 .. 2.3 s: start-up plus part of the extraction
  kill_at "$delay"
  cached=$(find "$work/run-cache" -name '*.feat' 2>/dev/null | wc -l)
  [[ "$cached" -lt "$total" ]] || { echo "kill $i after ${delay}s came after extraction had finished"; exit 1; }
  echo "extraction kill $i after ${delay}s: $cached of $total features cached"
done
"${cli[@]}" train --data "$work/data" --output "$work/run" --cache "$work/run-cache" --epochs 3 --quiet >/dev/null
for i in $(seq 1 10); do
  before=$(sha256sum "$work/run/model.zip" | cut -d' ' -f1)
  delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.4 + (r % 90) / 100 }')   # 0.4 .. 1.3 s: start-up, training and saving
  kill_at "$delay"
  after=$(sha256sum "$work/run/model.zip" | cut -d' ' -f1)
  if [[ "$after" != "$before" ]] && ! zip_ok "$work/run/model.zip"; then
    echo "save kill $i after ${delay}s: model.zip is torn"; exit 1
  fi
  echo "save kill $i after ${delay}s: model.zip $([[ "$after" == "$before" ]] && echo 'unchanged (previous model)' || echo 'replaced by a complete new one')"
done

"${cli[@]}" train --data "$work/data" --output "$work/run" --cache "$work/run-cache" --epochs 3 --quiet >/dev/null
zip_ok "$work/run/model.zip"
left=$(find "$work/run" -name '*.tmp' | wc -l)
[[ "$left" == 0 ]] || { echo "$left temporary files left in the output folder"; exit 1; }
ref_count=$(find "$work/ref-cache" -name '*.feat' | wc -l)
run_count=$(find "$work/run-cache" -name '*.feat' | wc -l)
[[ "$ref_count" == "$run_count" ]] || { echo "feature count differs: $ref_count uninterrupted vs $run_count resumed"; exit 1; }
(cd "$work/ref-cache" && find . -name '*.feat' | sort) > "$work/ref.list"
(cd "$work/run-cache" && find . -name '*.feat' | sort) > "$work/run.list"
diff -q "$work/ref.list" "$work/run.list" >/dev/null || { echo "cached images differ"; exit 1; }
while read -r f; do cmp -s "$work/ref-cache/$f" "$work/run-cache/$f" || { echo "features differ: $f"; exit 1; }; done < "$work/ref.list"
echo "kill-resume: 10 extraction kills and 10 save kills; $run_count features identical to an uninterrupted run; model.zip never torn"
echo "1 passed, 0 failed"
