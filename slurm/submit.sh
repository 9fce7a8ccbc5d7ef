#!/bin/bash
# Submit a talentsim sweep as an array of TASKS shards plus a merge job that runs after all of
# them succeeded:
#
#   slurm/submit.sh SWEEP_FILE OUT_DIR TASKS [sbatch options for the array, e.g. --partition=…]
#
# Prints the two job ids. Watch with `squeue -u $USER`; results land in OUT_DIR.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: slurm/submit.sh SWEEP_FILE OUT_DIR TASKS [sbatch options]" >&2
    exit 64
fi
sweep_file=$1
out_dir=$2
tasks=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
# --parsable prints `jobid` or `jobid;cluster`.
array=$(sbatch --parsable --array=0-$((tasks - 1)) "$@" "$here/sweep.sbatch" "$sweep_file" "$out_dir")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch" "$out_dir")
merge=${merge%%;*}
echo "array job $array ($tasks tasks), merge job $merge (after all succeed)"
