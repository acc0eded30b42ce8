#!/usr/bin/env bash
# One sweep spread over a SLURM job array: task i of N runs shard i/N into its own file.
# Submit from the project root (N = 3 here; change --array and SHARDS together):
#   sbatch --array=0-2 scripts/slurm/sweep-array.sh configs/sweeps/lut-tc-decode.toml results
# then, when all tasks are done:
#   lutforge sweep merge results/shard-*.jsonl --out results/merged.jsonl
#SBATCH --job-name=lutforge-sweep
#SBATCH --cpus-per-task=1
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
SPACE=${1:?usage: sweep-array.sh SPACE.toml OUTDIR}
OUTDIR=${2:?usage: sweep-array.sh SPACE.toml OUTDIR}
SHARDS=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array}
LUTFORGE=${LUTFORGE:-lutforge}
mkdir -p "$OUTDIR"
# --resume makes a requeued or restarted task continue where it stopped.
"$LUTFORGE" sweep --space "$SPACE" --out "$OUTDIR/shard-$SLURM_ARRAY_TASK_ID.jsonl" \
  --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --jobs "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet
