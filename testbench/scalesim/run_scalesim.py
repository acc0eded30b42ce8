"""Runs SCALE-Sim 3.0.0 through its Python API without writing per-cycle traces.

Usage: python run_scalesim.py CONFIG TOPOLOGY LAYOUT gemm|conv OUTDIR
Equivalent to `python -m scalesim.scale -c CONFIG -t TOPOLOGY -l LAYOUT -i KIND -p OUTDIR`
except that traces are not saved and progress bars are off (the reports are unaffected).
"""
import sys

from scalesim.scale_sim import scalesim


def main():
    config, topology, layout, kind, outdir = sys.argv[1:6]
    sim = scalesim(save_disk_space=True, verbose=False, config=config, topology=topology,
                   layout=layout, input_type_gemm=(kind == "gemm"))
    sim.run_scale(top_path=outdir)


if __name__ == "__main__":
    main()
