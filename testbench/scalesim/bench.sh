#!/bin/sh
# Benchmark (not a test): SCALE-Sim 3.0.0 vs `lutforge scalesim` on the same inputs, printing the
# speed ratio. Cases:
#   1. one 512x512x512 GEMM on a 32x32 weight-stationary array (configs/scalesim/scale.cfg);
#   2. the seven GEMMs of one Llama-2-7B decoder layer at 128 tokens
#      (configs/scalesim/llama2-7b-layer.csv) on the same array. SCALE-Sim needs hours for this,
#      so it runs only with --llama-scalesim; otherwise its time is extrapolated from case 1 by
#      demand rows (SCALE-Sim's run time is linear in them) and marked "estimated".
# Usage: testbench/scalesim/bench.sh [--llama-scalesim]   (build with cargo build --release first)
# Env: PYTHON (default target/scalesim-venv/bin/python), LUTFORGE (default target/release/lutforge).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="${PYTHON:-$root/target/scalesim-venv/bin/python}"
lf="${LUTFORGE:-$root/target/release/lutforge}"
cfg="$root/configs/scalesim/scale.cfg"
layout="$root/configs/scalesim/layout.csv"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'Layer, M, N, K,\ngemm512, 512, 512, 512,\n' > "$work/g512.csv"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }

time_lutforge() { # topology -> best-of-5 wall seconds
    best=""
    for _ in 1 2 3 4 5; do
        t0=$(now); "$lf" scalesim -c "$cfg" -t "$1" -l "$layout" -i gemm -p "$work/lf" > /dev/null; t1=$(now)
        s=$(elapsed "$t0" "$t1")
        best=$(python3 -c "print(min(x for x in [$s, ${best:-1e9}]))")
    done
    echo "$best"
}

echo "case 1: 512x512x512 GEMM, 32x32 ws, CALC"
t0=$(now); "$py" "$root/testbench/scalesim/run_scalesim.py" "$cfg" "$work/g512.csv" "$layout" gemm "$work/ss" > /dev/null; t1=$(now)
ss1=$(elapsed "$t0" "$t1")
lf1=$(time_lutforge "$work/g512.csv")
for f in COMPUTE_REPORT BANDWIDTH_REPORT DETAILED_ACCESS_REPORT; do
    cmp -s "$work/ss/example_32x32_ws/$f.csv" "$work/lf/example_32x32_ws/$f.csv" || { echo "reports differ: $f"; exit 1; }
done
echo "  SCALE-Sim ${ss1} s, lutforge ${lf1} s (wall, incl. process start), reports identical"
python3 -c "print(f'  speed ratio: {$ss1 / $lf1:.0f}x')"

echo "case 2: Llama-2-7B layer GEMMs (M=128 tokens), 32x32 ws, CALC"
lf2=$(time_lutforge "$root/configs/scalesim/llama2-7b-layer.csv")
if [ "${1:-}" = "--llama-scalesim" ]; then
    t0=$(now); "$py" "$root/testbench/scalesim/run_scalesim.py" "$cfg" "$root/configs/scalesim/llama2-7b-layer.csv" "$layout" gemm "$work/ss2" > /dev/null; t1=$(now)
    ss2=$(elapsed "$t0" "$t1"); how="measured"
else
    # Demand rows = folds x (2R + C + T - 2) for ws; SCALE-Sim time is linear in them.
    ss2=$(python3 -c "
import math
def rows(m, n, k, r=32, c=32): return math.ceil(k / r) * math.ceil(n / c) * (2 * r + c + m - 2)
base = rows(512, 512, 512)
layer = sum(rows(m, n, k) for m, n, k in [(128, 4096, 4096)] * 4 + [(128, 11008, 4096)] * 2 + [(128, 4096, 11008)])
print(f'{$ss1 * layer / base:.0f}')")
    how="estimated from case 1"
fi
echo "  SCALE-Sim ${ss2} s (${how}), lutforge ${lf2} s"
python3 -c "print(f'  speed ratio: {$ss2 / $lf2:.0f}x')"
