//! Per-op hardware limits of the LUT and MAC tiles: every tile command either family issues for
//! a real workload fits the `cmd` stream's 16-bit `k_chunks` field, and its result fits the
//! accumulator; the stepped models confirm that a pass at the limit does not wrap.

mod common;

use std::path::Path;

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::lut_tensor_core::{
    ceil_log2, run_tile, ActMode, LutArray, Precompute, TileInput,
};
use lutforge_sim::mac_tensor_core::{self, MacActMode, MacArray, MacTileInput};
use lutforge_sim::reduction::{ReductionLimits, ReductionSplit};
use lutforge_sim::Arch;
use lutforge_workloads::{lower_step, GemmOperand, OpShape, Step, StepKind};
use proptest::prelude::*;

/// The reduction limits and widest weight of every shipped LUT and MAC architecture file.
fn shipped_limits() -> Vec<(ReductionLimits, u32)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/arch");
    let mut limits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let arch = Arch::from_file(&path).unwrap();
            if let Some(array) = arch.machine_as::<LutArray>() {
                // The integer datapath where the array has one: its accumulator bounds a pass.
                let fp_only = !array.act_format.has_int();
                limits.push((array.reduction_limits(fp_only), array.max_weight_bits));
            }
            if let Some(array) = arch.machine_as::<MacArray>() {
                limits.push((array.reduction_limits(), array.mult_bits));
            }
        }
    }
    assert!(
        limits.len() >= 4,
        "expected the LUT and MAC configs under configs/arch"
    );
    limits
}

/// The legal accumulator bound of a pass: `act_bits + b + ceil_log2(K)` bits (when it wraps).
fn fits_accumulator(limits: &ReductionLimits, planes: u32, chunks: u64) -> bool {
    let k = chunks * u64::from(limits.tile_k);
    let k_bits = 64 - (k - 1).leading_zeros();
    !limits.wraps || limits.act_bits + planes + k_bits <= limits.acc_bits
}

fn check_split(array: &ReductionLimits, planes: u32, k: u64) -> Result<(), TestCaseError> {
    let chunks = k.div_ceil(u64::from(array.tile_k));
    let split = ReductionSplit::new(array, planes, chunks, None);
    prop_assert_eq!(split.k_chunks(), chunks, "the passes cover the reduction");
    prop_assert!(split.chunks_per_pass <= 65535, "k_chunks field overflows");
    prop_assert!(split.chunks_per_pass >= 1);
    prop_assert!(
        fits_accumulator(array, planes, split.chunks_per_pass),
        "a pass of {} chunks overflows {} accumulator bits",
        split.chunks_per_pass,
        array.acc_bits
    );
    prop_assert!(split.last_pass_chunks < split.chunks_per_pass);
    Ok(())
}

proptest! {
    #![proptest_config(common::persisted(64, common::regressions!("reduction_limits")))]

    /// Random real workloads (preset models, contexts up to 131072, prefill or decode) on
    /// every shipped LUT architecture: every matrix product's split obeys both limits.
    #[test]
    fn real_workloads_issue_legal_tile_commands(
        model in prop::sample::select(vec!["tiny-llama", "llama-2-7b", "llama-3.1-8b", "mixtral-8x7b", "bitnet-b1.58-2b-4t"]),
        context in 0u64..=131_072,
        prefill in any::<bool>(),
        quant in prop::sample::select(vec!["w1a8kv4", "w1.58a8kv4", "w2a8kv4", "w4a8kv4"]),
    ) {
        let model = ModelConfig::preset(model).unwrap();
        let quant: QuantScheme = quant.parse().unwrap();
        let step = Step {
            kind: if prefill { StepKind::Prefill } else { StepKind::Decode },
            draft: false,
            batch: 1,
            new_tokens: if prefill { 64 } else { 1 },
            context_tokens: context,
            shared_context_tokens: 0,
            logits_rows: 1,
            options: Default::default(),
        };
        for (array, max_weight_bits) in shipped_limits() {
            for op in lower_step(&model, &quant, &step) {
                if let OpShape::Gemm { k, operand, .. } = op.shape {
                    let planes = match operand {
                        GemmOperand::Weights(w) => w.compute_bit_planes().max(1),
                        GemmOperand::KvCache(kv) => kv.bits(),
                    };
                    if planes <= max_weight_bits {
                        check_split(&array, planes, k)?;
                    }
                }
            }
        }
    }

    /// A pass at the accumulator limit, at the operands' extreme values (the largest positive
    /// dot product), gives the exact integer result on the stepped model: no wrap.
    #[test]
    fn a_pass_at_the_limit_does_not_wrap(
        tile_m in 1u32..=2,
        tile_n in 1u32..=4,
        group in 1u32..=6,
        groups in 1u32..=4,
        symmetric in any::<bool>(),
        act_bits in 2u32..=8,
        max_weight_bits in 1u32..=4,
        spare in 0u32..=3,
        fused in any::<bool>(),
        planes_pick in 0u32..4,
    ) {
        let tile_k = group * groups;
        let symmetric = symmetric && group >= 2;
        let acc_bits = act_bits + max_weight_bits + ceil_log2(tile_k) + spare;
        let array = LutArray {
            tile_m,
            tile_n,
            tile_k,
            group,
            symmetric,
            max_weight_bits,
            act_bits,
            acc_bits,
            precompute: if fused { Precompute::Fused } else { Precompute::Standalone },
            act_format: ActMode::Int,
        };
        let planes = 1 + planes_pick % max_weight_bits;
        let chunks = array.reduction_limits(false).max_chunks_per_pass(planes).min(64);
        let k = chunks as usize * tile_k as usize;
        let a = -(1i64 << (act_bits - 1));
        let w = -(1i64 << (planes - 1));
        let input = TileInput {
            weight_bits: planes,
            k_chunks: chunks,
            activations: vec![a; tile_m as usize * k],
            weights: vec![w; k * tile_n as usize],
            binary: false,
            act_fp: false,
        };
        let run = run_tile(&array, &input).unwrap();
        let exact = a * w * k as i64;
        prop_assert!(run.results.iter().all(|&r| r == exact), "{:?} != {exact}", &run.results[..1]);
    }
}

proptest! {
    #![proptest_config(common::persisted(32, common::regressions!("reduction_limits_mac")))]

    /// The MAC tile at its accumulator limit, extreme operands: exact on the stepped model.
    #[test]
    fn a_mac_pass_at_the_limit_does_not_wrap(
        tile_m in 1u32..=2,
        tile_n in 1u32..=3,
        tile_k in 1u32..=8,
        mult_bits in 4u32..=8,
        spare in 0u32..=3,
        pipeline_cycles in 1u32..=5,
        planes_pick in 0u32..8,
    ) {
        let planes = 1 + planes_pick % mult_bits;
        let acc_bits = (2 * mult_bits + ceil_log2(tile_k) + spare).max(8);
        let array = MacArray {
            tile_m,
            tile_n,
            tile_k,
            mult_bits,
            acc_bits,
            pipeline_cycles,
            act_format: MacActMode::Int,
        };
        let chunks = array.reduction_limits().max_chunks_per_pass(planes).min(64);
        let k = chunks as usize * tile_k as usize;
        let a = -(1i64 << (mult_bits - 1));
        let w = -(1i64 << (planes - 1));
        let input = MacTileInput {
            weight_bits: planes,
            k_chunks: chunks,
            activations: vec![a; tile_m as usize * k],
            weights: vec![w; k * tile_n as usize],
        };
        let run = mac_tensor_core::run_tile(&array, &input).unwrap();
        let exact = a * w * k as i64;
        prop_assert!(run.results.iter().all(|&r| r == exact), "{:?} != {exact}", &run.results[..1]);
    }
}

#[test]
fn the_reviews_shallow_tile_at_131k_context_splits_its_reduction() {
    // tile_k = 2, g = 2: llama-3.1-8b's attention over 131072 cached tokens reduces 65537
    // chunks, one more than the 16-bit k_chunks field holds.
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/arch/lut-tc.toml"),
    )
    .unwrap()
    .replace("tile_k = 256", "tile_k = 2")
    .replace("group = 4 ", "group = 2 ");
    let arch = Arch::from_toml_str(&doc, "lut-k2.toml").unwrap();
    let array = *arch.machine_as::<LutArray>().unwrap();
    assert_eq!((array.tile_k, array.group), (2, 2));
    let split = ReductionSplit::new(
        &array.reduction_limits(false),
        4,
        131_073u64.div_ceil(2),
        None,
    );
    assert_eq!(split.passes(), 2);
    assert!(split.chunks_per_pass <= 65535);
}
