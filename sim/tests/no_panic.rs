//! Any architecture file a user can write either loads or is refused with an error, and any
//! architecture that loads simulates without a panic.

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::{simulate, support, Arch};
use lutforge_workloads::Workload;
use proptest::prelude::*;

mod common;

/// Failing cases of this file's properties, replayed first on every run (committed).
const REGRESSIONS: &str = common::regressions!("no_panic");

/// Integer fields of the shipped architectures, as dotted paths.
const FIELDS: &[&str] = &[
    "cores",
    "lut.tile_m",
    "lut.tile_n",
    "lut.tile_k",
    "lut.group",
    "lut.max_weight_bits",
    "lut.act_bits",
    "lut.acc_bits",
    "buffers.activation_kib",
    "buffers.weight_kib",
    "buffers.output_kib",
    "buffers.table_kib",
    "vector.lanes",
    "mac.tile_m",
    "mac.tile_n",
    "mac.tile_k",
    "mac.mult_bits",
    "mac.pipeline_cycles",
    "systolic.rows",
    "systolic.cols",
    "systolic.ifmap_sram_kib",
];

fn value() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(-1),
        Just(1),
        Just(3),
        Just(1 << 40),
        Just(i64::MAX),
        1i64..=4096
    ]
}

proptest! {
    #![proptest_config(common::persisted(96, REGRESSIONS))]

    #[test]
    fn edited_architectures_load_or_fail_cleanly(
        file in prop::sample::select(vec!["lut-tc.toml", "mac-tc.toml", "systolic-int8-128x128.toml", "lut-tc-m2n16-w8.toml"]),
        edits in prop::collection::vec((prop::sample::select(FIELDS.to_vec()), value()), 1..4),
        clock in prop_oneof![Just(-1.0f64), Just(0.0), Just(f64::NAN), Just(1e-3), Just(1e9), 1.0f64..5000.0],
        quant in prop::sample::select(vec!["w1.58a8kv4", "w2a8kv4", "w4a8kv8", "w8a8kv8", "w4a16kv16"]),
    ) {
        let path = format!("{}/../configs/arch/{file}", env!("CARGO_MANIFEST_DIR"));
        let mut doc: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (field, v) in &edits {
            let (table, key) = match field.split_once('.') {
                Some((t, k)) => (doc.get_mut(t), k),
                None => (Some(&mut doc), *field),
            };
            if let Some(t) = table.and_then(|t| t.as_table_mut()) {
                if t.contains_key(key) {
                    t.insert(key.to_string(), toml::Value::Integer(*v));
                }
            }
        }
        doc.as_table_mut().unwrap().insert("clock_mhz".into(), toml::Value::Float(clock));
        let text = toml::to_string(&doc).unwrap();
        let Ok(arch) = Arch::from_toml_str(&text, "edited.toml") else { return Ok(()) };
        let quant: QuantScheme = quant.parse().unwrap();
        prop_assume!(support::problems(&arch, &quant).is_empty());
        let workload = Workload::new(ModelConfig::preset("tiny-llama").unwrap(), quant, 2, 16, 3).unwrap();
        let report = simulate(&arch, &workload, Vec::new()).unwrap();
        prop_assert!(report.summary.ttft_s > 0.0 && report.summary.ttft_s.is_finite());
        prop_assert!(report.summary.total_energy_j.is_finite());
    }
}
