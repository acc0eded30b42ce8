#!/bin/sh
# Creates a Python virtual environment with SCALE-Sim 3.0.0 for the comparison harness.
# SCALE-Sim 3.0.0 crashes with numpy 2, so numpy is pinned below 2.
# Usage: testbench/scalesim/setup_venv.sh [VENV_DIR]   (default: target/scalesim-venv)
set -eu
venv="${1:-target/scalesim-venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'scalesim==3.0.0' 'numpy<2'
"$venv/bin/python" -c 'import scalesim.scale_sim, numpy; print("scalesim 3.0.0 ready, numpy", numpy.__version__)'
