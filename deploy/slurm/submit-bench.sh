#!/bin/bash
# Splits a `qm bench` over a Slurm cluster: an array job of SHARDS tasks, each running one shard,
# and a gather job that starts when all of them have succeeded.
#
#   deploy/slurm/submit-bench.sh SHARDS QM_BENCH_ARGUMENTS...
#   deploy/slurm/submit-bench.sh 20 scenarios/black-friday.toml --replications 100 --out /shared/runs
#
# The scenario, the files it names and --out must be on a file system every node sees. QM names
# the qm binary (default: qm on PATH); SBATCH_OPTIONS adds sbatch options to both jobs (a
# partition, an account, a time limit); QM_SLURM_WAIT=1 waits for the gather job and exits with
# its exit code. Prints the two job ids. A shard that fails can be submitted again alone
# (sbatch --array=I ...): it skips the runs it finished, and the gather then runs as usual.
set -euo pipefail

usage() {
    echo "usage: $0 SHARDS QM_BENCH_ARGUMENTS..." >&2
    exit 2
}
[[ $# -ge 2 ]] || usage
shards=$1
shift
[[ $shards =~ ^[1-9][0-9]*$ ]] || {
    echo "$0: SHARDS must be a whole number from 1, got '$shards'" >&2
    exit 2
}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2206 # SBATCH_OPTIONS is a list of options, split on spaces on purpose.
options=(--export=ALL ${SBATCH_OPTIONS:-})

array=$(sbatch --parsable "${options[@]}" --array="0-$((shards - 1))" \
    "$here/bench-shard.sbatch" "$@")
array=${array%%;*}
wait_flag=()
[[ ${QM_SLURM_WAIT:-0} == 1 ]] && wait_flag=(--wait)
echo "shards: job $array (array 0-$((shards - 1)))"
gather=$(sbatch --parsable "${options[@]}" "${wait_flag[@]}" \
    --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/bench-gather.sbatch" "$@")
echo "gather: job ${gather%%;*}"
