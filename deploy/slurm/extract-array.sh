#!/bin/bash
# Feature extraction of one data set by a Slurm job array (one task per share), then training once every task is
# done, with every feature read from the cache. DATA and CACHE must be on storage all nodes see (NFS, Lustre, ...):
# the cache is content-addressed and written by atomic renames, with no locks.
#   sbatch --array=0-7 deploy/slurm/extract-array.sh /shared/photos /shared/cache
#SBATCH --job-name=mlnettransfer-extract
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=02:00:00
set -euo pipefail
data=$1
cache=$2
mlnet-transfer extract --data "$data" --cache "$cache" --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" --quiet
# The first task queues the training as a job that depends on the whole array: it runs once every share succeeded.
if [[ "${SLURM_ARRAY_TASK_ID}" == "${SLURM_ARRAY_TASK_MIN}" ]]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=mlnettransfer-train --cpus-per-task=4 --mem=4G \
    --wrap="mlnet-transfer train --data '$data' --cache '$cache' --output '$data-run' --quiet"
fi
