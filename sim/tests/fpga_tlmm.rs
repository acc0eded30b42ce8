//! The TLMM engine of the FPGA dataflow family: the stepped model's outputs equal the integer
//! GEMM wrapped to the accumulator width, and the fast model's cycle counts equal the stepped
//! model's, over random legal specs and small shapes.

use lutforge_models::numerics::{int_gemm, GemmShape};
use lutforge_sim::fpga_dataflow::tlmm::{fast, stepped, TlmmError, TlmmJob, TlmmSpec};
use proptest::prelude::*;

mod common;

const REGRESSIONS: &str = common::regressions!("fpga_tlmm");

/// A legal spec over the whole validated range; the per-cycle widths lean towards the small
/// shapes' sizes so that multi-cycle builds and several output groups occur.
fn spec() -> impl Strategy<Value = TlmmSpec> {
    (
        prop_oneof![1u32..=8, 1u32..=256],
        prop_oneof![1u32..=48, 1u32..=1024],
        prop_oneof![1u32..=64, 1u32..=1024],
        10u32..=32,
        8u32..=48,
        prop_oneof![0u32..=4, 0u32..=64],
        any::<bool>(),
        (
            prop_oneof![1u32..=8, 1u32..=1024],
            prop_oneof![1u32..=16, 1u32..=1024],
        ),
    )
        .prop_map(
            |(tables, outputs, adds, entry_bits, acc_bits, pipeline, overlap, (reads, banks))| {
                TlmmSpec {
                    group: 3,
                    tables,
                    outputs_per_cycle: outputs,
                    act_reads_per_cycle: reads,
                    build_adds_per_cycle: adds,
                    entry_bits,
                    acc_bits,
                    pipeline_cycles: pipeline,
                    weight_banks: banks,
                    overlap_table_build: overlap,
                }
            },
        )
}

/// A job with m 1..=4, n 1..=40, k 1..=200 and its operands: activations `m x k`, weights
/// `n x k`.
fn job() -> impl Strategy<Value = (TlmmJob, Vec<i8>, Vec<i8>)> {
    (1u64..=4, 1u64..=40, 1u64..=200).prop_flat_map(|(m, n, k)| {
        (
            Just(TlmmJob { m, n, k }),
            prop::collection::vec(any::<i8>(), (m * k) as usize),
            prop::collection::vec(-1i8..=1, (n * k) as usize),
        )
    })
}

/// `C = A * W^T` by the integer reference, wrapped to `bits` and sign-extended.
fn reference(job: TlmmJob, acts: &[i8], weights: &[i8], bits: u32) -> Vec<i64> {
    let (n, k) = (job.n as usize, job.k as usize);
    // The reference takes W as K x N.
    let mut kn = vec![0i32; k * n];
    for o in 0..n {
        for kk in 0..k {
            kn[kk * n + o] = i32::from(weights[o * k + kk]);
        }
    }
    let shape = GemmShape {
        m: job.m as usize,
        k,
        n,
    };
    let shift = 64 - bits;
    int_gemm(acts, &kn, shape)
        .unwrap()
        .into_iter()
        .map(|v| (v << shift) >> shift)
        .collect()
}

proptest! {
    #![proptest_config(common::persisted(64, REGRESSIONS))]

    /// The stepped engine computes the matmul exactly, modulo the accumulator width.
    #[test]
    fn stepped_outputs_equal_the_integer_gemm_wrapped(spec in spec(), (job, acts, weights) in job()) {
        let run = stepped::run(&spec, job, &acts, &weights).unwrap();
        prop_assert_eq!(run.outputs, reference(job, &acts, &weights, spec.acc_bits));
    }

    /// The closed forms give the stepped model's cycles: the total and, per block, the lookup
    /// and build-only cycles; and those plus the drain are all the cycles.
    #[test]
    fn fast_cycle_counts_equal_the_stepped_counts(spec in spec(), (job, acts, weights) in job()) {
        let run = stepped::run(&spec, job, &acts, &weights).unwrap();
        let cost = fast::cost(&spec, job).unwrap();
        prop_assert_eq!(cost.total_cycles, run.total_cycles);
        prop_assert_eq!(cost.blocks as usize, run.lookup_cycles.len());
        for b in 0..cost.blocks {
            prop_assert_eq!(cost.lookup_cycles_of_block(b), run.lookup_cycles[b as usize]);
            prop_assert_eq!(cost.build_only_cycles_of_block(b), run.build_only_cycles[b as usize]);
        }
        let stepped_sum: u64 = run.lookup_cycles.iter().chain(&run.build_only_cycles).sum();
        prop_assert_eq!(stepped_sum + u64::from(spec.pipeline_cycles), run.total_cycles);
        prop_assert_eq!(cost.lookup_cycles + cost.build_only_cycles + cost.drain_cycles, cost.total_cycles);
    }
}

fn tellme_like(overlap: bool) -> TlmmSpec {
    TlmmSpec {
        group: 3,
        tables: 28,
        outputs_per_cycle: 16,
        act_reads_per_cycle: 1024,
        build_adds_per_cycle: 28,
        entry_bits: 10,
        acc_bits: 8,
        pipeline_cycles: 3,
        weight_banks: 1024,
        overlap_table_build: overlap,
    }
}

#[test]
fn extreme_entries_are_exact_and_the_accumulator_wraps() {
    // Every activation -128 and every weight -1: each entry is 384 and each output 200 * 128,
    // which an 8-bit accumulator wraps to 0 (25600 = 100 * 256).
    let job = TlmmJob {
        m: 2,
        n: 17,
        k: 200,
    };
    let acts = vec![-128i8; 400];
    let weights = vec![-1i8; 17 * 200];
    for overlap in [false, true] {
        let spec = tellme_like(overlap);
        let run = stepped::run(&spec, job, &acts, &weights).unwrap();
        assert_eq!(run.outputs, vec![0; 34]);
        let wide = TlmmSpec {
            acc_bits: 16,
            ..spec
        };
        let run = stepped::run(&wide, job, &acts, &weights).unwrap();
        assert_eq!(run.outputs, vec![25600; 34]);
        assert_eq!(
            run.total_cycles,
            fast::cost(&wide, job).unwrap().total_cycles
        );
    }
}

#[test]
fn overlap_hides_the_build_behind_the_lookups() {
    // 1 read and 13 add cycles and 4 lookup cycles per set: builds dominate, and overlap
    // hides 4 of every 14 after the first set.
    let job = TlmmJob {
        m: 3,
        n: 64,
        k: 168,
    };
    let serial = fast::cost(&tellme_like(false), job).unwrap();
    let overlapped = fast::cost(&tellme_like(true), job).unwrap();
    assert_eq!(serial.total_cycles, 6 * (14 + 4) + 3);
    assert_eq!(overlapped.total_cycles, 14 + 4 + 5 * 14 + 3);
    assert_eq!(overlapped.build_only_cycles_of_block(1), 3 * 10);
}

/// TeLLMe's loop: 84 activations read one per cycle, the 364 entries built in one cycle, and 16
/// outputs per step through a weight buffer of 8 banks, so 8 outputs per cycle: a 1536 x 1536
/// matrix costs 19 blocks x (84 + 1 + 192) cycles per token.
#[test]
fn tellme_reads_its_block_then_looks_up_eight_outputs_per_cycle() {
    let spec = TlmmSpec {
        act_reads_per_cycle: 1,
        build_adds_per_cycle: 364,
        weight_banks: 8,
        ..tellme_like(false)
    };
    let job = TlmmJob {
        m: 1,
        n: 1536,
        k: 1536,
    };
    let cost = fast::cost(&spec, job).unwrap();
    assert_eq!(cost.build_cycles_per_set, 85);
    assert_eq!(cost.lookup_cycles_per_set, 192);
    assert_eq!(cost.total_cycles, 19 * (85 + 192) + 3);
    // The stepped model agrees on a shape small enough to step.
    let small = TlmmJob {
        m: 2,
        n: 40,
        k: 170,
    };
    let acts: Vec<i8> = (0..2 * 170).map(|i| (i % 17) as i8 - 8).collect();
    let weights: Vec<i8> = (0..40 * 170).map(|i| (i % 3) as i8 - 1).collect();
    let run = stepped::run(&spec, small, &acts, &weights).unwrap();
    assert_eq!(
        run.total_cycles,
        fast::cost(&spec, small).unwrap().total_cycles
    );
}

#[test]
fn invalid_specs_jobs_and_operands_are_errors() {
    let job = TlmmJob { m: 1, n: 1, k: 3 };
    let bad = TlmmSpec {
        entry_bits: 9,
        ..tellme_like(true)
    };
    let e = stepped::run(&bad, job, &[1, 2, 3], &[1, 0, -1]).unwrap_err();
    assert!(
        matches!(
            e,
            TlmmError::Field {
                field: "entry_bits",
                value: 9,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(fast::cost(&bad, job).unwrap_err(), e);
    let spec = tellme_like(true);
    assert_eq!(
        stepped::run(&spec, job, &[1, 2, 3], &[1, 0])
            .unwrap_err()
            .to_string(),
        "tlmm weights has 2 values, expected 3"
    );
    assert_eq!(
        stepped::run(&spec, job, &[1, 2, 3], &[1, 0, -2])
            .unwrap_err()
            .to_string(),
        "tlmm weight -2 at index 2 is not -1, 0 or +1"
    );
    assert_eq!(
        fast::cost(&spec, TlmmJob { n: 0, ..job })
            .unwrap_err()
            .to_string(),
        "tlmm field `n`: must be between 1 and 16777216 outputs (got 0)"
    );
}
