#!/usr/bin/env bash
# deploy/slurm/extract-array.sh on a real Slurm: where `sinfo` answers, on that cluster (see TMPDIR below); elsewhere (as root) a
# one-node cluster from Debian's slurm-wlm and munge is installed and started, and left running for the next run
# (slurmctld and slurmd as root, select/cons_tres, node CPUs = nproc). The tool is the CLI built from this checkout,
# on PATH through a wrapper (the jobs inherit PATH). A generated data set is extracted by a three-task array; the
# training job the array queues must find every feature cached (0 extracted) and finish.
# Prints what it checks and how long it took; exits non-zero on any failure.
#   tests/scripts/slurm.sh [IMAGES_PER_CLASS]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
per_class=${1:-20}
started=$SECONDS
submitted=() # jobs this run queued: cancelled when a check fails, so that nothing stays queued
fail() { echo "FAILED: $*${work:+ (files of the run: $work)}"; (( ${#submitted[@]} )) && scancel "${submitted[@]}" 2>/dev/null; exit 1; }

# --- a Slurm to run on ------------------------------------------------------------------------------------------
conf=/etc/slurm/slurm.conf
marker="# one-node cluster of tests/scripts/slurm.sh"
node=$(hostname -s)

start_local_slurm() {
  [[ $(id -u) == 0 ]] || fail "no Slurm answers here and only root can install one"
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "installing slurm-wlm and munge (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null) \
      || fail "apt-get could not install slurm-wlm and munge"
  fi
  if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge && dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge && chown munge:munge /run/munge
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || runuser -u munge -- /usr/sbin/munged || fail "munged did not start"
  if [[ ! -f $conf ]] || grep -qF "$marker" "$conf"; then
    local memory_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 512 ))
    mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
    # No cgroups (containers seldom delegate them): processes are tracked by parent id, tasks not bound.
    cat > "$conf" <<EOF
$marker
ClusterName=mlnettransfer
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  else
    echo "note: $conf is not this script's; using it as it is"
  fi
  pgrep -x slurmctld >/dev/null || slurmctld || fail "slurmctld did not start (/var/log/slurm/slurmctld.log)"
  pgrep -x slurmd >/dev/null || slurmd || fail "slurmd did not start (/var/log/slurm/slurmd.log)"
  for _ in $(seq 1 30); do sinfo -h >/dev/null 2>&1 && break; sleep 1; done
}

sinfo -h >/dev/null 2>&1 || start_local_slurm
if grep -qsF "$marker" "$conf"; then # this script's node: wait until it has registered (a few seconds after a start)
  for _ in $(seq 1 30); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -1)
    [[ $state == idle* || $state == mixed* || $state == allocated* ]] && break
    [[ $state == down* || $state == drain* ]] && scontrol update NodeName="$node" State=RESUME 2>/dev/null
    sleep 1
  done
  [[ $state == idle* || $state == mixed* || $state == allocated* ]] || fail "node $node is not up (state '$state')"
fi
sinfo -h -o "%P %D %c %m %T" | sed 's/^/slurm: partition nodes cpus memory state: /'
echo "slurm ready after $((SECONDS - started)) s"

# --- the tool, the data, the array --------------------------------------------------------------------------------
# On storage the nodes see (one node here: a local folder; on a cluster of several, run from a checkout on shared
# storage with TMPDIR there too), kept for a look when a check fails.
work=$(mktemp -d "${TMPDIR:-/tmp}/mlnettransfer-slurm.XXXXXX")
dotnet build src/MlNetTransfer.Cli --nologo -v q >/dev/null || fail "build failed"
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec dotnet %s "$@"\n' "$repo/src/MlNetTransfer.Cli/bin/Debug/net10.0/MlNetTransfer.Cli.dll" > "$work/bin/mlnet-transfer"
chmod +x "$work/bin/mlnet-transfer"
export PATH="$work/bin:$PATH"
mlnet-transfer sample-data --output "$work/data" --per-class "$per_class" >/dev/null
images=$(find "$work/data" -type f | wc -l)

cd "$work"
array=$(sbatch --parsable --array=0-2 "$repo/deploy/slurm/extract-array.sh" "$work/data" "$work/cache") || fail "sbatch refused the array"
submitted+=("$array")
echo "array job $array submitted ($images images, 3 shares) at $((SECONDS - started)) s"

# Waits until job $1 has left the queue; fails at once on a request no node can meet, or after $2 seconds.
wait_for() {
  local deadline=$((SECONDS + $2))
  while [[ -n $(squeue -h -j "$1" 2>/dev/null) ]]; do
    if squeue -h -j "$1" -o "%r" | grep -qE "PartitionConfig|ReqNodeNotAvail|PartitionNodeLimit"; then
      squeue -j "$1"; fail "job $1 can never run on this cluster"
    fi
    (( SECONDS < deadline )) || { squeue -j "$1"; fail "job $1 still queued after $2 s"; }
    sleep 1
  done
}
job_state() { scontrol show job "$1" 2>/dev/null | grep -oE "JobState=[A-Z_]+|ExitCode=[0-9:]+" | tr '\n' ' '; }

wait_for "$array" 300
echo "array done at $((SECONDS - started)) s"
for task in 0 1 2; do
  state=$(job_state "${array}_${task}")
  echo "array task $task: $state$(grep -h '^Shard' "slurm-${array}_${task}.out" 2>/dev/null)"
  [[ $state == "JobState=COMPLETED ExitCode=0:0 " ]] || { cat "slurm-${array}_${task}.out" 2>/dev/null; fail "array task $task"; }
done
extracted=$(grep -h '^Shard' slurm-"${array}"_*.out | grep -oE '[0-9]+ extracted' | awk '{s += $1} END {print s + 0}')
[[ $extracted == "$images" ]] || fail "the three shares extracted $extracted features, not $images"

train=$(grep -oE 'Submitted batch job [0-9]+' "slurm-${array}_0.out" | awk '{print $4}')
[[ -n $train ]] || fail "the first task queued no training job"
submitted+=("$train")
echo "training job $train: requested $(scontrol show job "$train" | grep -oE 'NumCPUs=[0-9]+|MinMemoryNode=[0-9A-Z]+' | tr '\n' ' ')"
wait_for "$train" 300
state=$(job_state "$train")
echo "training job $train: $state at $((SECONDS - started)) s"
cat "slurm-$train.out"
[[ $state == "JobState=COMPLETED ExitCode=0:0 " ]] || fail "the training job"
grep -qE "^Features: $images images, $images from cache, 0 extracted" "slurm-$train.out" \
  || fail "training did not find all $images features cached"
[[ -s "$work/data-run/model.zip" ]] || fail "no model.zip"
rm -rf "$work"
echo "ok: training found all $images features cached; $((SECONDS - started)) s in all"
