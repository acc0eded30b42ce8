//! Benchmark (not a test): the cycle-stepped Rust model against the Verilated RTL on the same
//! tile sequence (40 seeded cases of the default configuration).
//!
//! Two comparisons, each the best of several runs:
//!
//! * **simulation**: each model runs from its own stream form of the tiles, prepared outside the
//!   timing on both sides ([`stream_tile`] hex beats for Verilator, [`TileStreams`] for the
//!   stepped model). The Verilator time is one harness run as co-simulation uses it: process
//!   start, pipe I/O of every beat and transfer, simulation; the build comes from the cache.
//! * **end to end**: both sides also pay for turning the [`lutforge_sim::lut_tensor_core::TileInput`]s
//!   into their stream form ([`stream_tile`] + harness run against [`run_tile`]).
//!
//! The Verilator side goes through the generic block driver ([`LutBlock`]), as co-simulation
//! does.
//!
//! Both sides must report the same total cycle count, else the benchmark fails.
//!
//! `cargo bench -p lutforge-testbench --bench stepped_vs_verilator`

use std::time::Instant;

use lutforge_rtl::Options;
use lutforge_sim::lut_tensor_core::run_tile;
use lutforge_sim::lut_tensor_core::stepped::{run_streams, TileStreams};
use lutforge_sim::lut_tensor_core::LutArray;
use lutforge_sim::Arch;
use lutforge_testbench::lut_tensor_core::{tile_input, LutBlock};
use lutforge_testbench::{harness, stream_tile, Block};

fn best_of<F: FnMut()>(runs: usize, mut f: F) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arch = Arch::builtin_default()?;
    let Some(&array) = arch.machine_as::<LutArray>() else {
        return Err("default arch is not a LUT tensor core".into());
    };
    let block = LutBlock {
        name: arch.name.clone(),
        array,
    };
    let cases = block.cases(40, 1);
    let inputs: Vec<_> = cases.iter().map(tile_input).collect();
    let bundle = block.generate(Options::default());
    let h = match harness::build(&bundle, &block.interface()) {
        Ok(h) => h,
        Err(e) => {
            println!("SKIPPED: {e}");
            return Ok(());
        }
    };
    let tiles: Vec<_> = cases
        .iter()
        .map(|c| stream_tile(&block, c, false))
        .collect();
    let streams = inputs
        .iter()
        .map(|input| TileStreams::new(&array, input))
        .collect::<Result<Vec<_>, _>>()?;

    // Same sequence on both sides: equal total cycles.
    let vcd = std::env::temp_dir().join("lutforge-bench.vcd");
    let rtl_cycles: u64 = harness::run(&h, &tiles, &vcd)?
        .iter()
        .map(|r| r.cycles)
        .sum();
    let cycles: u64 = streams.iter().map(|s| run_streams(&array, s).cycles).sum();
    if rtl_cycles != cycles {
        return Err(format!("verilator ran {rtl_cycles} cycles, stepped {cycles}").into());
    }

    let mut err = None;
    let mut verilator = |with_streams: bool| {
        best_of(5, || {
            let owned;
            let tiles = if with_streams {
                owned = cases
                    .iter()
                    .map(|c| stream_tile(&block, c, false))
                    .collect::<Vec<_>>();
                &owned
            } else {
                &tiles
            };
            if let Err(e) = harness::run(&h, tiles, &vcd) {
                err = Some(e);
            }
        })
    };
    let verilator_sim = verilator(false);
    let verilator_e2e = verilator(true);
    if let Some(e) = err {
        return Err(e.into());
    }
    let stepped_sim = best_of(20, || {
        for s in &streams {
            std::hint::black_box(run_streams(&array, std::hint::black_box(s)));
        }
    });
    let stepped_e2e = best_of(20, || {
        for input in &inputs {
            let _ = std::hint::black_box(run_tile(&array, std::hint::black_box(input)));
        }
    });

    let mcps = |s: f64| cycles as f64 / s / 1e6;
    println!(
        "tile sequence: {} cases, {} cycles, {}x{} array",
        cases.len(),
        cycles,
        array.tile_m,
        array.tile_n
    );
    for (what, v, s) in [
        ("simulation", verilator_sim, stepped_sim),
        ("end to end", verilator_e2e, stepped_e2e),
    ] {
        println!(
            "{what}: verilator {:.4} s ({:.2} Mcycles/s), stepped {:.6} s ({:.2} Mcycles/s), \
             ratio stepped/verilator speed {:.1}x",
            v,
            mcps(v),
            s,
            mcps(s),
            v / s
        );
    }
    if h.cached {
        println!("verilator build: from cache (delete target/lutforge-cosim to time it)");
    } else {
        println!(
            "ratio stepped/verilator speed, build + simulation: {:.0}x (build {:.1} s)",
            (verilator_sim + h.build_seconds) / stepped_sim,
            h.build_seconds
        );
    }
    Ok(())
}
