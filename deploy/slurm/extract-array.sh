#!/bin/bash
# Feature extraction of one data set by a Slurm job array (one task per share), then training once every task is
# done, with every feature read from the cache. DATA and CACHE must be on storage all nodes see (NFS, Lustre, ...):
# the cache is content-addressed and written by atomic renames, with no locks.
#   sbatch --array=0-7 deploy/slurm/extract-array.sh /shared/photos /shared/cache
# Each task asks for what a small node has (2 CPUs, 4 GB): a request above every node's size stays PENDING for good
# ("PartitionConfig"). On larger nodes ask for more on the command line, it overrides these lines:
#   sbatch --array=0-7 --cpus-per-task=8 --mem=8G deploy/slurm/extract-array.sh /shared/photos /shared/cache
# The training job gets what the array's tasks got.
#SBATCH --job-name=mlnettransfer-extract
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
set -euo pipefail
data=$1
cache=$2
mlnet-transfer extract --data "$data" --cache "$cache" --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" --quiet
# The first task queues the training as a job that depends on the whole array: it runs once every share succeeded.
if [[ "${SLURM_ARRAY_TASK_ID}" == "${SLURM_ARRAY_TASK_MIN}" ]]; then
  memory=(--mem="${SLURM_MEM_PER_NODE:-4096}")
  [[ -n "${SLURM_MEM_PER_CPU:-}" ]] && memory=(--mem-per-cpu="${SLURM_MEM_PER_CPU}")
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=mlnettransfer-train \
    --cpus-per-task="${SLURM_CPUS_PER_TASK:-2}" "${memory[@]}" \
    --wrap="mlnet-transfer train --data '$data' --cache '$cache' --output '$data-run' --quiet"
fi
