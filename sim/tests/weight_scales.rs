//! Group-wise weight scales are applied, and costed, on every family: the output stage scales
//! each group's partial sum; an array whose passes cannot end at group boundaries sends the op
//! to the fallback unit with a note.

mod common;

use lutforge_sim::report::OpKindReport;
use lutforge_sim::Report;

use common::archs::{arch, run};

fn op<'a>(r: &'a Report, phase: &str, kind: &str) -> &'a OpKindReport {
    r.ops
        .iter()
        .find(|o| o.phase == phase && o.kind == kind)
        .unwrap()
}

#[test]
fn scales_cost_energy_on_both_lut_and_mac() {
    for file in ["lut-tc.toml", "mac-tc.toml"] {
        let a = arch(file, &[]);
        let per_channel = run(&a, "llama-2-7b", "w4a8kv4", 1, 256, 4);
        let grouped = run(&a, "llama-2-7b", "w4a8kv4g256", 1, 256, 4);
        for phase in ["prefill", "decode"] {
            let (p, g) = (
                op(&per_channel, phase, "ffn_up"),
                op(&grouped, phase, "ffn_up"),
            );
            assert_eq!(g.unit, "matrix", "{file}");
            assert!(
                g.energy_j > p.energy_j,
                "{file} {phase}: scales cost nothing"
            );
            assert!(g.compute_cycles >= p.compute_cycles, "{file} {phase}");
        }
    }
}

#[test]
fn a_lut_pass_cannot_span_two_scale_groups() {
    // lut-tc reduces 256 activations per pass; groups of 128 would be summed together.
    let r = run(
        &arch("lut-tc.toml", &[]),
        "llama-2-7b",
        "w4a8kv4g128",
        1,
        64,
        2,
    );
    assert_eq!(op(&r, "decode", "ffn_up").unit, "fallback-vector");
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("scale groups of 128 are not a multiple of lut.tile_k = 256")),
        "{:?}",
        r.notes
    );
    // A 128-deep tile ends a pass at every group boundary and keeps the op.
    let short = arch("lut-tc.toml", &[("lut.tile_k", toml::Value::Integer(128))]);
    let r = run(&short, "llama-2-7b", "w4a8kv4g128", 1, 64, 2);
    assert_eq!(op(&r, "decode", "ffn_up").unit, "matrix");
}
