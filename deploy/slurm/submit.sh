#!/bin/bash
# Splits a `qm bench` or a `qm tune` grid over a Slurm cluster: an array job of SHARDS tasks,
# each running one shard, and a gather job that starts when all of them have succeeded.
#
#   deploy/slurm/submit.sh SHARDS bench|tune QM_ARGUMENTS...
#   deploy/slurm/submit.sh 20 bench scenarios/black-friday.toml --replications 100 --out /shared/runs
#
# The scenario, the files it names and --out must be on a file system every node sees. QM names
# the qm binary (default: qm on PATH); SBATCH_OPTIONS adds sbatch options to both jobs (a
# partition, an account, a time limit); QM_SLURM_WAIT=1 waits for the gather job and exits with
# its exit code. Prints the two job ids. A shard that fails can be submitted again alone
# (sbatch --array=I deploy/slurm/shard.sbatch ...): it skips the runs it finished.
set -euo pipefail

usage() {
    echo "usage: $0 SHARDS bench|tune QM_ARGUMENTS..." >&2
    exit 2
}
[[ $# -ge 3 ]] || usage
shards=$1
command=$2
shift 2
[[ $shards =~ ^[1-9][0-9]*$ ]] || {
    echo "$0: SHARDS must be a whole number from 1, got '$shards'" >&2
    exit 2
}
[[ $command == bench || $command == tune ]] || {
    echo "$0: only qm bench and qm tune split into shards, got '$command'" >&2
    exit 2
}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2206 # SBATCH_OPTIONS is a list of options, split on spaces on purpose.
options=(--export=ALL ${SBATCH_OPTIONS:-})

array=$(sbatch --parsable "${options[@]}" --array="0-$((shards - 1))" \
    "$here/shard.sbatch" "$command" "$@")
array=${array%%;*}
echo "shards: job $array (array 0-$((shards - 1)))"
wait_flag=()
[[ ${QM_SLURM_WAIT:-0} == 1 ]] && wait_flag=(--wait)
gather=$(sbatch --parsable "${options[@]}" "${wait_flag[@]}" \
    --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/gather.sbatch" "$command" "$@")
echo "gather: job ${gather%%;*}"
