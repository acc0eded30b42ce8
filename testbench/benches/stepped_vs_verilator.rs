//! Benchmark (not a test): the cycle-stepped Rust model against the Verilated RTL on the same
//! tile sequence (40 seeded cases of the default configuration). Prints wall times and the
//! speed ratio; the Verilator time is the harness run (process, pipe, simulation) with the
//! build taken from the cache, and the end-to-end ratio adds the build.
//!
//! `cargo bench -p lutforge-testbench --bench stepped_vs_verilator`

use std::time::Instant;

use lutforge_rtl::lut::Dims;
use lutforge_rtl::{generate_lut, Options};
use lutforge_sim::arch::MatrixUnit;
use lutforge_sim::lut_tile::run_tile;
use lutforge_sim::Arch;
use lutforge_testbench::{cases, harness, stream_tile};

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
    let MatrixUnit::Lut(array) = arch.matrix else {
        return Err("default arch is not a LUT tensor core".into());
    };
    let cases = cases::generate(&array, 40, 1);
    let cycles: u64 = cases
        .iter()
        .map(|c| {
            lutforge_sim::lut_tile::tile_cost(&array, c.input.weight_bits, c.input.k_chunks).cycles
        })
        .sum();
    let bundle = generate_lut(&arch.name, &array, Options::default());
    let h = match harness::build(&bundle, &Dims::of(&array)) {
        Ok(h) => h,
        Err(e) => {
            println!("SKIPPED: {e}");
            return Ok(());
        }
    };
    let tiles: Vec<_> = cases
        .iter()
        .map(|c| stream_tile(&array, &c.input, false))
        .collect();
    let vcd = std::env::temp_dir().join("lutforge-bench.vcd");
    let mut err = None;
    let verilator_s = best_of(3, || {
        if let Err(e) = harness::run(&h, &tiles, &vcd) {
            err = Some(e);
        }
    });
    if let Some(e) = err {
        return Err(e.into());
    }
    let stepped_s = best_of(3, || {
        for c in &cases {
            let _ = std::hint::black_box(run_tile(&array, &c.input));
        }
    });
    let streams: Vec<_> = cases
        .iter()
        .map(|c| lutforge_sim::lut_tile::stepped::TileStreams::new(&array, &c.input).unwrap())
        .collect();
    let prep_s = best_of(5, || {
        for c in &cases {
            let _ = std::hint::black_box(lutforge_sim::lut_tile::stepped::TileStreams::new(&array, &c.input));
        }
    });
    let run_s = best_of(5, || {
        for s in &streams {
            let _ = std::hint::black_box(lutforge_sim::lut_tile::stepped::run_streams(&array, s));
        }
    });
    println!("prep {prep_s:.6} run {run_s:.6}");
    println!(
        "tile sequence: {} cases, {} cycles, {}x{} array",
        cases.len(),
        cycles,
        array.tile_m,
        array.tile_n
    );
    println!(
        "verilator (cached build, run only): {:.4} s ({:.2} Mcycles/s)",
        verilator_s,
        cycles as f64 / verilator_s / 1e6
    );
    println!(
        "stepped model:                      {:.4} s ({:.2} Mcycles/s)",
        stepped_s,
        cycles as f64 / stepped_s / 1e6
    );
    println!(
        "ratio stepped/verilator speed, run only: {:.2}x",
        verilator_s / stepped_s
    );
    if h.cached {
        println!("verilator build: from cache (delete target/lutforge-cosim to time it)");
    } else {
        println!(
            "ratio stepped/verilator speed, build + run: {:.0}x (build {:.1} s)",
            (verilator_s + h.build_seconds) / stepped_s,
            h.build_seconds
        );
    }
    Ok(())
}
