//! The SRAM-PIM LUT-GEMV bank: the stepped model's accumulators equal the integer GEMM modulo
//! `2^acc_bits` and its converted results the integer requantization of them; the fast
//! model's cycles equal the stepped model's, given the pattern counts `pattern_stats` measures
//! on the activations, which equal the counts the stepped registers make; over random legal
//! specs, weight widths 1..=8, batches up to 32 and small shapes. Then: the pattern-aware
//! saving depends on the activation distribution, and batching amortizes the weight reads.

use lutforge_models::numerics::{int_gemm, GemmShape};
use lutforge_sim::sram_pim::bank::pattern::{measure_saving, pattern_stats, SyntheticActs};
use lutforge_sim::sram_pim::bank::{
    fast, requantize, stepped, wrap, BankError, BankJob, BankSpec, Conversion,
};
use proptest::prelude::*;

mod common;

const REGRESSIONS: &str = common::regressions!("sram_pim_bank");

/// A legal spec: small macros (64 to 128 rows), words of 1 to 4 lanes, every group size,
/// latencies and build widths that give multi-cycle phases.
fn spec() -> impl Strategy<Value = BankSpec> {
    (
        (6u32..=7, 0u32..=2, 1u32..=8, 1u32..=4),
        (1u32..=4, 1u32..=3, prop_oneof![1u32..=8, 1u32..=255]),
        12u32..=48,
        (0u32..=5, 0u32..=2, 1u32..=5),
        any::<bool>(),
    )
        .prop_map(
            |(
                (rows_log, mux_log, group, lanes),
                (row, look, adds),
                acc,
                (b_log, t_log, conv),
                pa,
            )| {
                let column_mux = 1 << mux_log;
                BankSpec {
                    rows: 1 << rows_log,
                    columns: column_mux * group * lanes,
                    column_mux,
                    group,
                    row_cycles: row,
                    lookup_cycles: look,
                    build_adds_per_cycle: adds,
                    acc_bits: acc,
                    max_batch: 1 << b_log,
                    max_tiles: 1 << t_log,
                    converters: conv,
                    pattern_aware: pa,
                }
            },
        )
        .prop_filter("columns in range", |s| s.columns >= 8)
}

/// Activations: uniform INT8, or from a small alphabet (repeats and zeros), or the extremes.
fn act_values(len: usize) -> impl Strategy<Value = Vec<i8>> {
    prop_oneof![
        prop::collection::vec(any::<i8>(), len),
        prop::collection::vec(-1i8..=1, len),
        prop::collection::vec(prop::sample::select(vec![-128i8, 127, 0]), len),
    ]
}

/// A spec, a job that fits it (k up to 48) and its operands.
fn case() -> impl Strategy<Value = (BankSpec, BankJob, Vec<i8>, Vec<i32>)> {
    spec().prop_flat_map(|spec| {
        let lanes = u64::from(spec.lanes());
        (
            Just(spec),
            1u32..=spec.max_batch,
            1u64..=u64::from(spec.max_tiles) * lanes,
            1u32..=8,
        )
            .prop_flat_map(move |(spec, batch, n, wb)| {
                let tiles = n.div_ceil(lanes);
                let max_groups = spec.words() / (tiles * u64::from(wb));
                let max_k = (max_groups * u64::from(spec.group)).min(48);
                (Just(spec), Just(batch), Just(n), Just(wb), 1u64..=max_k)
            })
            .prop_flat_map(|(spec, batch, n, wb, k)| {
                let half = 1i32 << (wb - 1);
                (
                    Just(spec),
                    Just(BankJob {
                        batch,
                        n,
                        k,
                        weight_bits: wb,
                    }),
                    act_values(batch as usize * k as usize),
                    prop::collection::vec(-half..half, (k * n) as usize),
                )
            })
    })
}

/// `C = A * W` by the integer reference, wrapped to `bits`.
fn reference(job: BankJob, acts: &[i8], weights: &[i32], bits: u32) -> Vec<i64> {
    let shape = GemmShape {
        m: job.batch as usize,
        k: job.k as usize,
        n: job.n as usize,
    };
    int_gemm(acts, weights, shape)
        .unwrap()
        .into_iter()
        .map(|v| wrap(v, bits))
        .collect()
}

proptest! {
    #![proptest_config(common::persisted(96, REGRESSIONS))]

    /// The stepped bank computes the GEMM exactly modulo the accumulator width; its result
    /// beats are the accumulators (zero in lanes past n), or their conversions.
    #[test]
    fn stepped_equals_the_integer_gemm_wrapped(
        (spec, job, acts, weights) in case(),
        scale in -32768i32..32768,
        shift_seed in 0u32..64,
    ) {
        let run = stepped::run(&spec, job, None, &acts, &weights).unwrap();
        let want = reference(job, &acts, &weights, spec.acc_bits);
        prop_assert_eq!(&run.accumulators, &want);
        let lanes = spec.lanes() as usize;
        let tiles = job.tiles(&spec) as usize;
        let n = job.n as usize;
        prop_assert_eq!(run.results.len(), job.batch as usize * tiles * lanes);
        for (i, &r) in run.results.iter().enumerate() {
            let (t, o) = (i / (tiles * lanes), i % (tiles * lanes));
            prop_assert_eq!(r, if o < n { want[t * n + o] } else { 0 });
        }
        let conv = Conversion { scale, shift: shift_seed % (spec.max_shift() + 1) };
        let converted = stepped::run(&spec, job, Some(conv), &acts, &weights).unwrap();
        for (c, r) in converted.results.iter().zip(&run.results) {
            prop_assert_eq!(*c, requantize(*r, conv.scale, conv.shift));
        }
        // The conversion adds its slices before every result beat.
        let beats = u64::from(job.batch) * job.tiles(&spec);
        prop_assert_eq!(converted.cycles, run.cycles + beats * u64::from(spec.conversion_slices()));
        let stats = pattern_stats(&acts, job.batch as usize, job.k as usize,
            spec.group as usize, spec.pattern_aware);
        prop_assert_eq!(fast::cost(&spec, job, &stats, true).unwrap().cycles, converted.cycles);
    }

    /// The closed form, fed the counts measured on the activations, gives the stepped cycles;
    /// the stepped registers skip exactly the builds `pattern_stats` counts; every stream
    /// carries its specified number of beats.
    #[test]
    fn fast_cycles_equal_stepped_cycles((spec, job, acts, weights) in case()) {
        let run = stepped::run(&spec, job, None, &acts, &weights).unwrap();
        let stats = pattern_stats(&acts, job.batch as usize, job.k as usize,
            spec.group as usize, spec.pattern_aware);
        prop_assert_eq!(run.stats, stats);
        let cost = fast::cost(&spec, job, &stats, false).unwrap();
        prop_assert_eq!(cost.cycles, run.cycles);
        prop_assert_eq!(cost.build_cycles, run.build_cycles);
        prop_assert_eq!(
            cost.cmd_cycles + cost.load_cycles + cost.check_cycles + cost.build_cycles
                + cost.read_cycles + cost.lookup_cycles + cost.conversion_cycles
                + cost.drain_cycles,
            cost.cycles
        );
        prop_assert_eq!(run.wld_cycles.len() as u64, job.words(&spec));
        prop_assert_eq!(run.act_cycles.len() as u64, stats.checks);
        prop_assert_eq!(run.res_cycles.len() as u64, u64::from(job.batch) * job.tiles(&spec));
        prop_assert_eq!(run.res_cycles.last().copied(), Some(run.cycles - 1));
        // The rule only ever saves cycles.
        let all = fast::cost(&BankSpec { pattern_aware: false, ..spec }, job,
            &pattern_stats(&acts, job.batch as usize, job.k as usize, spec.group as usize, false),
            false)
            .unwrap();
        prop_assert!(all.cycles >= cost.cycles);
    }
}

/// A SAIL-like subarray: 512 x 512 cells, 4-way column mux (128-bit words, 32 lanes of g = 4),
/// 2-cycle reads, bit-serial lookups, one build adder.
fn sail_like() -> BankSpec {
    BankSpec {
        rows: 512,
        columns: 512,
        column_mux: 4,
        group: 4,
        row_cycles: 2,
        lookup_cycles: 1,
        build_adds_per_cycle: 1,
        acc_bits: 32,
        max_batch: 32,
        max_tiles: 8,
        converters: 4,
        pattern_aware: true,
    }
}

#[test]
fn the_saving_depends_on_the_activation_distribution() {
    let spec = sail_like();
    // k = 512 (128 groups), n = 32 (one tile), 4-bit weights: 512 words; batch 8.
    let job = BankJob {
        batch: 8,
        n: 32,
        k: 512,
        weight_bits: 4,
    };
    let outliers = SyntheticActs {
        uniform: false,
        zero_fraction: 0.0,
        outlier_every: 64,
        outlier_gain: 40.0,
    };
    let sparse = SyntheticActs {
        zero_fraction: 0.6,
        ..outliers
    };
    let share = |d: SyntheticActs| {
        let acts = d.draw(8, 512, 2026);
        let s = measure_saving(&spec, job, &acts).unwrap();
        // The stepped model on the same activations skips the same builds.
        let weights = vec![1i32; 512 * 32];
        let run = stepped::run(&spec, job, None, &acts, &weights).unwrap();
        assert_eq!(run.stats, s.stats);
        assert_eq!(run.cycles, s.cycles);
        s.saved_share
    };
    let (uniform, outlier, sparse) = (
        share(SyntheticActs::UNIFORM),
        share(outliers),
        share(sparse),
    );
    println!(
        "pattern-aware saving: uniform {:.2}%, outlier-scaled Laplace {:.2}%, 60% zeros {:.2}%",
        100.0 * uniform,
        100.0 * outlier,
        100.0 * sparse
    );
    assert!(
        uniform < 0.001,
        "uniform INT8 repeats almost never: {uniform}"
    );
    assert!(outlier > uniform, "{outlier} <= {uniform}");
    assert!(sparse > outlier, "{sparse} <= {outlier}");
}

#[test]
fn batching_amortizes_the_weight_reads() {
    // A 4-cycle word read shared by the batch: cycles per token fall as the batch grows.
    let spec = BankSpec {
        row_cycles: 4,
        ..sail_like()
    };
    let per_token = |batch: u32| {
        let job = BankJob {
            batch,
            n: 256,
            k: 64,
            weight_bits: 2,
        };
        let stats = pattern_stats(
            &vec![1i8; batch as usize * 64],
            batch as usize,
            64,
            4,
            false,
        );
        let off = BankSpec {
            pattern_aware: false,
            ..spec
        };
        fast::cost(&off, job, &stats, false).unwrap().cycles as f64 / f64::from(batch)
    };
    let costs: Vec<f64> = [1, 4, 16, 32].into_iter().map(per_token).collect();
    assert!(costs.windows(2).all(|w| w[1] < w[0]), "{costs:?}");
}

#[test]
fn wrapping_accumulators_and_extreme_operands() {
    // Every activation -128, every weight -128 (8-bit): each product 2^14; 48 of them per
    // output is 786432, which a 12-bit accumulator wraps to 0 (786432 = 192 * 4096).
    let spec = BankSpec {
        acc_bits: 12,
        ..sail_like()
    };
    let job = BankJob {
        batch: 2,
        n: 40,
        k: 48,
        weight_bits: 8,
    };
    let acts = vec![-128i8; 2 * 48];
    let weights = vec![-128i32; 48 * 40];
    let run = stepped::run(&spec, job, None, &acts, &weights).unwrap();
    assert_eq!(run.accumulators, vec![0; 80]);
    let wide = BankSpec {
        acc_bits: 24,
        ..spec
    };
    let run = stepped::run(&wide, job, None, &acts, &weights).unwrap();
    assert_eq!(run.accumulators, vec![786_432; 80]);
    // Repeated patterns: after each token's first group every build is skipped.
    assert_eq!(run.stats.built, 2);
    assert_eq!(run.stats.repeat_skipped, 2 * 11);
}

#[test]
fn invalid_specs_jobs_and_stats_are_errors() {
    let spec = sail_like();
    let job = BankJob {
        batch: 1,
        n: 1,
        k: 4,
        weight_bits: 2,
    };
    let bad = BankSpec {
        column_mux: 3,
        ..spec
    };
    let e = stepped::run(&bad, job, None, &[0; 4], &[0; 4]).unwrap_err();
    assert_eq!(
        e,
        BankError::PowerOfTwo {
            field: "column_mux",
            value: 3
        }
    );
    assert_eq!(
        fast::cost(&bad, job, &pattern_stats(&[0; 4], 1, 4, 4, true), false).unwrap_err(),
        e
    );
    assert_eq!(
        stepped::run(
            &spec,
            BankJob { n: 257, ..job },
            None,
            &[0; 4],
            &[0; 4 * 257]
        )
        .unwrap_err()
        .to_string(),
        "sram_pim bank field `n`: must be between 1 and 256 outputs (got 257)"
    );
    assert!(measure_saving(&spec, job, &[0; 3]).is_err());
}

#[test]
fn the_periphery_overhead_of_a_sail_like_subarray() {
    use lutforge_sim::sram_pim::bank::area::{area, area_with, cache_overhead, Storage};
    // Batch 8, one tile of 32 outputs per job (the RTL sizes two): 16 Kbit of accumulators.
    let spec = BankSpec {
        max_batch: 8,
        max_tiles: 1,
        ..sail_like()
    };
    let ff = area(&spec);
    let cells = area_with(&spec, Storage::SramCells);
    println!(
        "512x512 subarray {:.0} um^2; periphery {:.0} um^2 with flip-flops ({:.1}%), {:.0} um^2 \
         with SRAM-cell storage ({:.1}%); over a cache where 1 subarray in 16 computes: {:.2}% / {:.2}%",
        ff.macro_um2,
        ff.periphery_um2(),
        100.0 * ff.overhead(),
        cells.periphery_um2(),
        100.0 * cells.overhead(),
        100.0 * cache_overhead(&ff, 1, 16),
        100.0 * cache_overhead(&cells, 1, 16),
    );
    assert!(cells.periphery_um2() < ff.periphery_um2());
    // The accumulators dominate flip-flop storage.
    assert!(ff.accumulators_um2 > ff.tables_um2);
}
