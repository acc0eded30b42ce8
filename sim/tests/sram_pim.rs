//! The SRAM-PIM family end to end on Llama-2-7B: it beats its Neoverse-N1 baseline on decode
//! at batch 8, its speedup over both CPU kernels grows with the batch (SAIL's trend: table
//! construction amortizes), the pattern-aware saving is measured and depends on the
//! activation distribution, its cost and area overhead reach the report, it runs every weight
//! width 1 to 8 bits, and its configuration errors name the field.

mod common;

use common::archs::{arch, arch_doc, run};
use lutforge_sim::report::Report;
use lutforge_sim::sram_pim::family::{PATTERN_SAVING, PIM_ENGINE};
use lutforge_sim::Arch;

const PIM: &str = "pim-sail.toml";
const CPU: &str = "cpu-neoverse-n1.toml";

fn decode(r: &Report) -> f64 {
    r.summary.decode_tokens_per_s.unwrap()
}

/// The pattern-aware saving's share in `r`.
fn saved_share(r: &Report) -> f64 {
    r.engines
        .iter()
        .find(|e| e.name == PIM_ENGINE)
        .and_then(|e| e.savings.get(PATTERN_SAVING))
        .map(|s| s.saved_share)
        .expect("the PIM engine reports its pattern-aware saving")
}

#[test]
fn pim_beats_the_neoverse_n1_on_w2_decode_at_batch_8() {
    let pim = run(&arch(PIM, &[]), "llama-2-7b", "w2a8", 8, 64, 32);
    let cpu = run(&arch(CPU, &[]), "llama-2-7b", "w2a8", 8, 64, 32);
    assert!(
        decode(&pim) > 1.2 * decode(&cpu),
        "PIM {} tokens/s against the CPU's {}",
        decode(&pim),
        decode(&cpu)
    );
    assert!(pim.summary.ttft_s < cpu.summary.ttft_s);
}

#[test]
fn the_speedup_over_both_cpu_kernels_grows_with_the_batch() {
    for quant in ["w2a8", "w4a8"] {
        let mut last_tmac = 0.0;
        let mut last_dequant = 0.0;
        for batch in [1, 4, 16, 32] {
            let pim = decode(&run(&arch(PIM, &[]), "llama-2-7b", quant, batch, 16, 9));
            let tmac = decode(&run(&arch(CPU, &[]), "llama-2-7b", quant, batch, 16, 9));
            let dequant = decode(&run(
                &arch(CPU, &[("cpu.kernel", "dequant".into())]),
                "llama-2-7b",
                quant,
                batch,
                16,
                9,
            ));
            let (s_tmac, s_dequant) = (pim / tmac, pim / dequant);
            assert!(
                s_tmac >= last_tmac * 0.99 && s_dequant >= last_dequant * 0.99,
                "{quant} batch {batch}: {s_tmac:.2}x T-MAC, {s_dequant:.2}x dequant after {last_tmac:.2}x, {last_dequant:.2}x"
            );
            (last_tmac, last_dequant) = (s_tmac, s_dequant);
        }
        assert!(
            last_tmac > 2.0 && last_dequant > 5.0,
            "{quant} at batch 32: {last_tmac:.2}x T-MAC, {last_dequant:.2}x dequant"
        );
    }
}

#[test]
fn the_pattern_aware_saving_is_measured_and_depends_on_the_activations() {
    let with = |distribution: &str, zero_fraction: f64| {
        let a = arch(
            PIM,
            &[
                ("sram_pim.activations.distribution", distribution.into()),
                ("sram_pim.activations.zero_fraction", zero_fraction.into()),
            ],
        );
        saved_share(&run(&a, "llama-2-7b", "w2a8", 8, 16, 9))
    };
    let uniform = with("uniform", 0.0);
    let laplace = with("laplace", 0.0);
    let sparse = with("laplace", 0.5);
    assert!(
        uniform < laplace && laplace < sparse,
        "uniform {uniform}, laplace {laplace}, half zeros {sparse}"
    );
    assert!(
        uniform < 1e-3,
        "uniform INT8 activations repeat almost never: {uniform}"
    );
    // Off: no saving is reported.
    let off = run(
        &arch(PIM, &[("sram_pim.pattern_aware", false.into())]),
        "llama-2-7b",
        "w2a8",
        8,
        16,
        9,
    );
    assert!(off.engines.iter().all(|e| e.savings.is_empty()));
    assert!(decode(&off) <= decode(&run(&arch(PIM, &[]), "llama-2-7b", "w2a8", 8, 16, 9)));
}

#[test]
fn the_report_prices_tokens_and_states_the_area_overhead() {
    let r = run(&arch(PIM, &[]), "llama-2-7b", "w2a8", 8, 16, 9);
    let s = &r.summary;
    let tpd = s.tokens_per_dollar.unwrap();
    let expected = decode(&r) * 3600.0 / 2.176;
    assert!(
        (tpd - expected).abs() <= 1e-6 * expected,
        "{tpd} vs {expected}"
    );
    let o = s.area_overhead.as_ref().unwrap();
    assert!(o.fraction > 0.0 && (o.fraction - o.added_mm2 / o.base_mm2).abs() < 1e-12);
    // Twice the compute subarrays, twice the overhead.
    let doubled = run(
        &arch(PIM, &[("sram_pim.compute_subarrays_per_bank", 4.into())]),
        "llama-2-7b",
        "w2a8",
        8,
        16,
        9,
    );
    let f2 = doubled.summary.area_overhead.unwrap().fraction;
    assert!(
        (f2 / o.fraction - 2.0).abs() < 1e-9,
        "{f2} vs {}",
        o.fraction
    );
    // The CPU is priced at the same hour, so tokens per dollar follow tokens per second; it
    // adds no area to anything.
    let cpu = run(&arch(CPU, &[]), "llama-2-7b", "w2a8", 8, 16, 9);
    let ratio = tpd / cpu.summary.tokens_per_dollar.unwrap();
    assert!((ratio - decode(&r) / decode(&cpu)).abs() < 1e-9);
    assert!(cpu.summary.area_overhead.is_none());
    // Without [cost], no price.
    let lut = run(&arch("lut-tc.toml", &[]), "llama-2-7b", "w2a8", 8, 16, 9);
    assert!(lut.summary.tokens_per_dollar.is_none() && lut.summary.dollars_per_hour.is_none());
}

#[test]
fn every_weight_width_runs_on_the_banks_in_prefill_and_decode() {
    let a = arch(PIM, &[]);
    let mut last = f64::INFINITY;
    for quant in ["w1.58a8", "w2a8", "w3a8", "w4a8", "w8a8"] {
        let r = run(&a, "llama-2-7b", quant, 4, 32, 5);
        assert!(r
            .ops
            .iter()
            .any(|o| o.unit == PIM_ENGINE && o.phase == "prefill"));
        assert!(r
            .ops
            .iter()
            .any(|o| o.unit == PIM_ENGINE && o.phase == "decode"));
        // Bit-serial: more bits, no faster.
        let tps = decode(&r);
        assert!(tps <= last * 1.0001, "{quant}: {tps} after {last}");
        last = tps;
    }
}

#[test]
fn bad_sections_name_the_field() {
    let err = |edits: &[(&str, toml::Value)]| {
        let doc = arch_doc(PIM, edits);
        Arch::from_toml_str(&toml::to_string(&doc).unwrap(), "pim.toml")
            .unwrap_err()
            .to_string()
    };
    let e = err(&[("sram_pim.compute_subarrays_per_bank", 9.into())]);
    assert!(
        e.contains("sram_pim.compute_subarrays_per_bank") && e.contains('9'),
        "{e}"
    );
    let e = err(&[("sram_pim.activations.distribution", "normal".into())]);
    assert!(e.contains("sram_pim.activations.distribution"), "{e}");
    let e = err(&[("sram_pim.rows", 1000.into())]);
    assert!(e.contains("rows"), "{e}");
    let e = err(&[("sram_pim.host.simd_bits", 0.into())]);
    assert!(e.contains("sram_pim.host.simd_bits"), "{e}");
}
