#!/bin/sh
# Benchmark (not a test): SCALE-Sim 3.0.0 vs lutforge on the same layers, with the speed ratio
# printed and the three reports compared byte for byte. A thin wrapper around the cargo bench
# target sim/benches/systolic_vs_scalesim.rs (see testbench/scalesim/README.md for the cases and
# the measured table). Every SCALE-Sim time it prints is measured; nothing is extrapolated.
# Usage: testbench/scalesim/bench.sh [CASE,...]   (cases: gemm512, o_proj, llama_layer; default all)
# Env: LUTFORGE_SCALESIM_VENV (default target/scalesim-venv; testbench/scalesim/setup_venv.sh
# creates it), SYSTOLIC_BENCH_SCALESIM=0 to time lutforge only.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cargo build --release --quiet
if [ -n "${1:-}" ]; then
    SYSTOLIC_BENCH_CASES="$1"
    export SYSTOLIC_BENCH_CASES
fi
exec cargo bench --quiet -p lutforge-sim --bench systolic_vs_scalesim
