#!/usr/bin/env python3
"""Runs SCALE-Sim 3.0.0 and `lutforge scalesim` on the same inputs and diffs every report cell.

Usage:
  compare.py --python VENV/bin/python --lutforge target/debug/lutforge [--set ci|full] [--work DIR]

For each case (a SCALE-Sim config and a topology) both tools write COMPUTE_REPORT.csv,
BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv; this script prints a per-layer table of every
compute-report column side by side (SCALE-Sim | lutforge), then every differing cell of the other
two reports, and exits 1 on any difference. Success prints `PASS: N layers identical`.
The cases are generated here (no SCALE-Sim files are copied into the repository).
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAYOUT = os.path.join(HERE, "..", "..", "configs", "scalesim", "layout.csv")

CFG_TEMPLATE = """[general]
run_name = {name}

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {ifmap_kb}
FilterSramSzkB: {filter_kb}
OfmapSramSzkB: {ofmap_kb}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth : {bandwidth}
Dataflow : {df}
MemoryBanks: 1
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {bank_bw}
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {bank_bw}
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: {mode}
UseRamulatorTrace: False
"""

# Topologies: (kind, [rows]); GEMM rows are (name, M, N, K), conv rows
# (name, ifmap_h, ifmap_w, filter_h, filter_w, channels, num_filters, stride).
TOPOLOGIES = {
    "gemm": ("gemm", [("g_64x48x40", 64, 48, 40), ("g_33x70x25", 33, 70, 25), ("g_100x20x130", 100, 20, 130)]),
    "conv": ("conv", [("c_12x12_3x3", 12, 12, 3, 3, 4, 16, 1), ("c_15x15_s2", 15, 15, 3, 3, 8, 24, 2),
                      ("c_9x20_2x5_s3", 9, 20, 2, 5, 3, 7, 3)]),
    "gemm_one": ("gemm", [("g_48x40x56", 48, 40, 56)]),
    "conv_one": ("conv", [("c_10x10_3x3", 10, 10, 3, 3, 6, 12, 1)]),
}

# Configs: name -> (rows, cols, dataflow, (ifmap, filter, ofmap) KiB, mode, Bandwidth, bank bandwidth)
CONFIGS = {
    "a4x4_os_calc_1k": (4, 4, "os", (1, 1, 1), "CALC", 10, 10),
    "a4x4_ws_calc_1k": (4, 4, "ws", (1, 1, 1), "CALC", 10, 10),
    "a4x4_is_calc_1k": (4, 4, "is", (1, 1, 1), "CALC", 10, 10),
    "a8x16_os_user_bw10_2k": (8, 16, "os", (2, 2, 2), "USER", 10, 10),
    "a16x8_ws_user_bw4_1k": (16, 8, "ws", (1, 1, 1), "USER", 4, 4),
    "a12x20_is_user_bw20_2k": (12, 20, "is", (2, 2, 2), "USER", 20, 20),
    "a32x32_ws_calc_64k": (32, 32, "ws", (64, 64, 64), "CALC", 10, 10),
    "a32x32_os_user_bw16_4k": (32, 32, "os", (4, 4, 4), "USER", 16, 16),
    "a32x32_is_calc_1k": (32, 32, "is", (1, 1, 1), "CALC", 10, 10),
    "a64x16_ws_calc_ofmap1k": (64, 16, "ws", (8, 8, 1), "CALC", 10, 10),
    "a8x8_ws_user_bw2_64k": (8, 8, "ws", (64, 64, 64), "USER", 2, 2),
    "a128x128_ws_calc_512k": (128, 128, "ws", (512, 512, 256), "CALC", 10, 10),
    "a128x128_os_user_bw64_16k": (128, 128, "os", (16, 16, 16), "USER", 64, 64),
    "a128x128_is_calc_2k": (128, 128, "is", (2, 2, 2), "CALC", 10, 10),
}

SETS = {
    # The CI set: 14 layers, all three dataflows, 4x4..128x128 incl. non-square, both bandwidth
    # modes, SRAMs small enough to refetch; a couple of minutes of SCALE-Sim time.
    "ci": [
        ("a4x4_os_calc_1k", "gemm"), ("a4x4_ws_calc_1k", "conv"), ("a4x4_is_calc_1k", "gemm_one"),
        ("a8x16_os_user_bw10_2k", "conv_one"), ("a16x8_ws_user_bw4_1k", "gemm_one"),
        ("a12x20_is_user_bw20_2k", "conv_one"), ("a32x32_os_user_bw16_4k", "gemm_one"),
        ("a64x16_ws_calc_ofmap1k", "conv_one"), ("a128x128_is_calc_2k", "gemm_one"),
    ],
    "full": [(c, t) for c in CONFIGS for t in ("gemm", "conv")],
}

COMPUTE_COLS = ["Total Cycles (incl. prefetch)", "Total Cycles", "Stall Cycles", "Overall Util %",
                "Mapping Efficiency %", "Compute Util %"]


def write_inputs(work, cfg_name, topo_name):
    rows, cols, df, (i_kb, f_kb, o_kb), mode, bw, bank_bw = CONFIGS[cfg_name]
    cfg = os.path.join(work, cfg_name + ".cfg")
    with open(cfg, "w") as f:
        f.write(CFG_TEMPLATE.format(name=cfg_name, rows=rows, cols=cols, ifmap_kb=i_kb, filter_kb=f_kb,
                                    ofmap_kb=o_kb, bandwidth=bw, df=df, bank_bw=bank_bw, mode=mode))
    kind, layers = TOPOLOGIES[topo_name]
    topo = os.path.join(work, topo_name + ".csv")
    with open(topo, "w") as f:
        f.write("Layer, M, N, K,\n" if kind == "gemm" else "Layer name, IFMAP Height, IFMAP Width, Filter Height, "
                "Filter Width, Channels, Num Filter, Strides,\n")
        for row in layers:
            f.write(", ".join(str(x) for x in row) + ",\n")
    return cfg, topo, kind, [row[0] for row in layers]


def read_report(path):
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f]
    header = [h.strip() for h in lines[0].split(",")][:-1]
    rows = [[c.strip() for c in line.split(",")][:-1] for line in lines[1:] if line.strip()]
    return header, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", required=True, help="python of a venv with scalesim==3.0.0 and numpy<2")
    ap.add_argument("--lutforge", required=True, help="the lutforge binary")
    ap.add_argument("--set", default="ci", choices=sorted(SETS))
    ap.add_argument("--work", default=None, help="scratch directory (default: a fresh temp dir)")
    args = ap.parse_args()

    import tempfile
    work = args.work or tempfile.mkdtemp(prefix="scalesim-compare-")
    os.makedirs(work, exist_ok=True)
    runner = os.path.join(HERE, "run_scalesim.py")
    total_layers, diffs, ss_time, lf_time = 0, [], 0.0, 0.0
    table = []
    for cfg_name, topo_name in SETS[args.set]:
        case = f"{cfg_name}/{topo_name}"
        cfg, topo, kind, names = write_inputs(work, cfg_name, topo_name)
        out_ss = os.path.join(work, "scalesim", topo_name)
        out_lf = os.path.join(work, "lutforge", topo_name)
        for d in (out_ss, out_lf):
            shutil.rmtree(os.path.join(d, cfg_name), ignore_errors=True)
            os.makedirs(d, exist_ok=True)
        t0 = time.time()
        r = subprocess.run([args.python, runner, cfg, topo, LAYOUT, kind, out_ss], capture_output=True, text=True)
        ss_time += time.time() - t0
        if r.returncode != 0:
            print(f"FAIL: {case}: SCALE-Sim exited {r.returncode}\n{r.stderr[-2000:]}")
            sys.exit(2)
        t0 = time.time()
        r = subprocess.run([args.lutforge, "scalesim", "-c", cfg, "-t", topo, "-l", LAYOUT, "-i", kind, "-p", out_lf],
                           capture_output=True, text=True)
        lf_time += time.time() - t0
        if r.returncode != 0:
            print(f"FAIL: {case}: lutforge exited {r.returncode}\n{r.stderr}")
            sys.exit(1)
        for report in ("COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"):
            h_ss, rows_ss = read_report(os.path.join(out_ss, cfg_name, report))
            h_lf, rows_lf = read_report(os.path.join(out_lf, cfg_name, report))
            if h_ss != h_lf:
                diffs.append(f"{case} {report}: header differs: {h_ss} vs {h_lf}")
            if len(rows_ss) != len(rows_lf):
                diffs.append(f"{case} {report}: {len(rows_ss)} vs {len(rows_lf)} layers")
            for lid, (a, b) in enumerate(zip(rows_ss, rows_lf)):
                for col, x, y in zip(h_ss, a, b):
                    if x != y:
                        diffs.append(f"{case} layer {lid} ({names[lid]}) {report} `{col}`: scalesim {x}, lutforge {y}")
                if report == "COMPUTE_REPORT.csv":
                    table.append((case, names[lid], a[1:], b[1:]))
        total_layers += len(names)

    width = max(len(f"{c} {n}") for c, n, _, _ in table)
    print(f"{'case layer':<{width}}  " + "  ".join(f"{c} [scalesim | lutforge]" for c in COMPUTE_COLS))
    for case, name, a, b in table:
        cells = "  ".join(f"{x} | {y}{'' if x == y else ' *'}" for x, y in zip(a, b))
        print(f"{case + ' ' + name:<{width}}  {cells}")
    print(f"time: SCALE-Sim {ss_time:.1f} s, lutforge {lf_time:.2f} s (process start-up included)")
    if diffs:
        print(f"FAIL: {len(diffs)} differing cells")
        for d in diffs:
            print("  " + d)
        sys.exit(1)
    print(f"PASS: {total_layers} layers identical (all cells of COMPUTE_REPORT, BANDWIDTH_REPORT, DETAILED_ACCESS_REPORT)")


if __name__ == "__main__":
    main()
