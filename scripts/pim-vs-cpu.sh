#!/usr/bin/env bash
# The README's SRAM-PIM table: Llama-2-7B decode tokens/s on configs/arch/pim-sail.toml against
# configs/arch/cpu-neoverse-n1.toml with T-MAC's kernel and with llama.cpp's dequantizing one
# (--set cpu.kernel=dequant), at W2 and W4 and batch 1, 4, 16 and 32 (prefill 64, decode 32).
# Usage (from the project root): bash scripts/pim-vs-cpu.sh [path/to/lutforge]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/lutforge}"
[ -x "$bin" ] || cargo build --release -q
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for quant in w2a8 w4a8; do
  for batch in 1 4 16 32; do
    run() { "$bin" simulate --model llama-2-7b --quant "$quant" --batch "$batch" --prefill 64 --decode 32 "$@" >/dev/null; }
    run --arch configs/arch/pim-sail.toml --json "$out/pim-$quant-$batch.json"
    run --arch configs/arch/cpu-neoverse-n1.toml --json "$out/tmac-$quant-$batch.json"
    run --arch configs/arch/cpu-neoverse-n1.toml --set cpu.kernel=dequant --json "$out/dequant-$quant-$batch.json"
  done
done
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
def rep(k, q, b):
    return json.load(open(f"{d}/{k}-{q}-{b}.json"))
print("| weights | batch | PIM tokens/s | T-MAC tokens/s | dequant tokens/s | vs T-MAC | vs dequant | PIM tokens/$ | pattern-aware saving |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for q in ["w2a8", "w4a8"]:
    for b in [1, 4, 16, 32]:
        p, t, q8 = (rep(k, q, b)["summary"] for k in ("pim", "tmac", "dequant"))
        pim = rep("pim", q, b)
        saving = next(e["savings"]["pattern_aware_lut"]["saved_share"] for e in pim["engines"] if e["name"] == "pim")
        pt, tt, dt = p["decode_tokens_per_s"], t["decode_tokens_per_s"], q8["decode_tokens_per_s"]
        print(f"| {q[:2].upper()} | {b} | {pt:.1f} | {tt:.1f} | {dt:.1f} | {pt/tt:.2f}x | {pt/dt:.2f}x | {p['tokens_per_dollar']:.0f} | {100*saving:.2f}% |")
o = rep("pim", "w2a8", 1)["summary"]["area_overhead"]
print(f"\nArea overhead: {100*o['fraction']:.1f}% ({o['what']}).")
PY
