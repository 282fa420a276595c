#!/bin/bash
# Trains on DATA with seeds 0-4 and prints the best epoch's validation accuracy of each, their mean and min.
# Usage: tests/scripts/seed-sweep.sh DATA [train flags...]   (features cached in $MLNETTRANSFER_CACHE or the default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$1; shift
dotnet build "$root/src/MlNetTransfer.Cli" -c Release -v q -nologo > /dev/null
exe="$root/src/MlNetTransfer.Cli/bin/Release/net10.0/MlNetTransfer.Cli"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
accuracies=()
for seed in 0 1 2 3 4; do
  "$exe" train --data "$data" --output "$out/$seed" --seed "$seed" --quiet "$@" > "$out/log" || { cat "$out/log"; exit 1; }
  accuracies+=("$(grep -o '"accuracy": [0-9.]*' "$out/$seed/metrics.json" | head -1 | cut -d' ' -f2)")
done
printf '%s\n' "${accuracies[@]}" | awk -v flags="$*" '{ a[NR] = $1; s += $1; if (NR == 1 || $1 < m) m = $1 }
  END { printf "seeds 0-4 %s:", flags; for (i = 1; i <= NR; i++) printf " %.4f", a[i]; printf "   mean %.4f  min %.4f\n", s / NR, m }'
