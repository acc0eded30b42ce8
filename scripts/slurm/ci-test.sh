#!/usr/bin/env bash
# The cluster path on a real scheduler: start a one-node SLURM (munge, slurmctld, slurmd),
# submit scripts/slurm/sweep-array.sh as a 3-task job array, wait, merge the shards and check
# the result equals a local run. Stops the daemons it started. Needs root and Debian's
# slurm-wlm and munge (installed here when missing). Run from the project root:
#   bash scripts/slurm/ci-test.sh [SPACE.toml]
set -euo pipefail
SPACE=${1:-configs/sweeps/lut-vs-mac-quick.toml}
ROOT=$(pwd)
BIN=${LUTFORGE:-$ROOT/target/release/lutforge}
[ -x "$BIN" ] || cargo build --release --quiet
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null
fi
WORK=$(mktemp -d /tmp/lutforge-slurm.XXXXXX)
STATE=$WORK/state
mkdir -p "$STATE/ctld" "$STATE/d" "$WORK/munge"
HOST=$(hostname -s)
MUNGE_SOCKET=$WORK/munge/munge.socket
sed -e "s|@HOST@|$HOST|g" -e "s|@STATE@|$STATE|g" -e "s|@CPUS@|$(nproc)|g" -e "s|@MUNGE_SOCKET@|$MUNGE_SOCKET|g" \
  scripts/slurm/slurm.conf.in > "$WORK/slurm.conf"
export SLURM_CONF=$WORK/slurm.conf

# munge: a fresh key and socket of our own, so nothing system-wide is touched.
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
munged --force --key-file="$WORK/munge/munge.key" --socket="$MUNGE_SOCKET" \
  --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/seed"
stop() {
  scancel --quiet --user=root 2>/dev/null || true
  [ -f "$STATE/slurmd.pid" ] && kill "$(cat "$STATE/slurmd.pid")" 2>/dev/null || true
  [ -f "$STATE/slurmctld.pid" ] && kill "$(cat "$STATE/slurmctld.pid")" 2>/dev/null || true
  [ -f "$WORK/munge/munged.pid" ] && kill "$(cat "$WORK/munge/munged.pid")" 2>/dev/null || true
  sleep 1
}
trap stop EXIT
slurmctld -i
slurmd -N "$HOST"
for _ in $(seq 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed|allocated)' && break
  sleep 1
done
sinfo

OUT=$WORK/results
LUTFORGE=$BIN sbatch --wait --array=0-2 --chdir="$ROOT" --output="$WORK/slurm-%A_%a.out" \
  --export=ALL,LUTFORGE="$BIN" scripts/slurm/sweep-array.sh "$SPACE" "$OUT"
"$BIN" sweep merge "$OUT"/shard-0.jsonl "$OUT"/shard-1.jsonl "$OUT"/shard-2.jsonl --out "$OUT/merged.jsonl"
"$BIN" sweep --space "$SPACE" --out "$WORK/local.jsonl" --quiet
if diff <(sort "$OUT/merged.jsonl") <(sort "$WORK/local.jsonl") >/dev/null; then
  echo "slurm: 3-task job array merged equals the local run ($(wc -l < "$WORK/local.jsonl") points)"
else
  echo "slurm: FAIL: merged shards differ from the local run"
  exit 1
fi
