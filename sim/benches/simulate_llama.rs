//! Benchmark: wall time of a whole llama-2-7b simulation (prefill 2048 + decode 128) on the
//! default LUT tensor core and on the MAC baseline. Target: under 1 s in release mode.
//!
//! Run with `cargo bench -p lutforge-sim --bench simulate_llama`.

use std::time::Instant;

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::{simulate, Arch};
use lutforge_workloads::Workload;

const RUNS: usize = 7;

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs/arch/");
    let model = ModelConfig::preset("llama-2-7b").expect("preset");
    for (file, quant) in [("lut-tc.toml", "w2a8kv4"), ("mac-tc.toml", "w4a8kv8")] {
        let arch = Arch::from_file(format!("{root}{file}").as_ref()).expect("arch");
        let quant: QuantScheme = quant.parse().expect("quant");
        let workload = Workload::new(model.clone(), quant, 1, 2048, 128).expect("workload");
        let mut times = Vec::with_capacity(RUNS);
        let mut tokens_per_s = 0.0;
        for _ in 0..RUNS {
            let start = Instant::now();
            let report = simulate(&arch, &workload, Vec::new()).expect("simulate");
            times.push(start.elapsed().as_secs_f64());
            tokens_per_s = report.summary.decode_tokens_per_s.unwrap_or(0.0);
        }
        times.sort_by(f64::total_cmp);
        let median = times[RUNS / 2];
        println!(
            "simulate llama-2-7b prefill 2048 + decode 128 on {file} ({quant}): median {:.3} ms over {RUNS} runs (min {:.3} ms); target < 1000 ms: {:.0}x under; simulated decode {:.1} tokens/s",
            median * 1e3,
            times[0] * 1e3,
            1.0 / median,
            tokens_per_s
        );
    }
}
