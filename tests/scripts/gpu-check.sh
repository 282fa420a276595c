#!/bin/bash
# The GPU check of README "On a GPU", for a machine with an NVIDIA GPU, its driver, and CUDA 13 / cuDNN 9 libraries on
# LD_LIBRARY_PATH: publishes the GPU build, benches extraction on cuda and on the CPU (with the GPU features compared
# against the CPU's), trains once on each device, and compares the two runs' best epochs.
# Usage: tests/scripts/gpu-check.sh DATA [OUT]   (DATA: a labelled folder; OUT: where results go, default a temp folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$1
out=${2:-$(mktemp -d)}
mkdir -p "$out"
dotnet publish "$root/src/MlNetTransfer.Cli" -c Release -p:OnnxRuntimeFlavor=Gpu -o "$out/gpu-build" -v q -nologo > /dev/null
app=(dotnet "$out/gpu-build/MlNetTransfer.Cli.dll")
"${app[@]}" bench --data "$data" --images 500 --repeats 3 --batch-size 32 --device cuda --json "$out/bench-cuda.json"
"${app[@]}" bench --data "$data" --images 500 --repeats 3 --batch-size 32 --device cpu --json "$out/bench-cpu.json"
for device in cuda cpu; do
  "${app[@]}" train --data "$data" --output "$out/train-$device" --cache "$out/cache-$device" --device "$device" --quiet |
    grep '^Best epoch' | tee "$out/train-$device.txt"
done
if cmp -s "$out/train-cuda.txt" "$out/train-cpu.txt"; then echo "gpu-check: cuda and cpu chose the same best epoch"
else echo "gpu-check: cuda and cpu runs differ (see above)"; exit 1; fi
