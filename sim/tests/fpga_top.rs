//! The FPGA pipeline top (`lutforge_sim::fpga_dataflow::top`): the fast model's cycle count
//! equals the stepped model's, with and without back-pressure inside the line (slower
//! element-wise engines, depth-1 FIFOs), over random TLMM and stream tops; the stepped values
//! equal the integer GEMM wrapped to the accumulator and requantized; the transfers follow the
//! specification's schedule; and the shipped architectures give the documented tops.

use std::path::PathBuf;

use lutforge_models::numerics::{int_gemm, GemmShape};
use lutforge_sim::fpga_dataflow::config::FpgaDesign;
use lutforge_sim::fpga_dataflow::eltwise::{requantize, EltwiseSpec};
use lutforge_sim::fpga_dataflow::tlmm::TlmmSpec;
use lutforge_sim::fpga_dataflow::top::{
    fast, stepped, Source, TlmmCapacity, TlmmTopJob, TopInput, TopJob, TopSpec,
};
use lutforge_sim::Arch;
use proptest::prelude::*;

mod common;

const REGRESSIONS: &str = common::regressions!("fpga_top");

/// A TLMM spec with small tables so that several blocks, groups and build cycles occur.
fn tlmm_spec() -> impl Strategy<Value = TlmmSpec> {
    (
        1u32..=6,
        1u32..=6,
        prop_oneof![1u32..=8, 1u32..=100],
        prop_oneof![1u32..=4, 1u32..=20],
        10u32..=16,
        8u32..=24,
        0u32..=5,
        1u32..=6,
    )
        .prop_map(
            |(tables, outputs, adds, reads, entry_bits, acc_bits, pipeline, banks)| TlmmSpec {
                group: 3,
                tables,
                outputs_per_cycle: outputs,
                act_reads_per_cycle: reads,
                build_adds_per_cycle: adds,
                entry_bits,
                acc_bits,
                pipeline_cycles: pipeline,
                weight_banks: banks,
                overlap_table_build: false,
            },
        )
}

/// A TLMM top with 2 or 4 tokens and groups, 2..=16 weight words, a FIFO of 1..=5 beats and
/// 1..=L requantizers.
fn tlmm_top() -> impl Strategy<Value = TopSpec> {
    (
        tlmm_spec(),
        prop_oneof![Just(2u32), Just(4)],
        prop_oneof![Just(2u32), Just(4)],
        2u32..=16,
        1u32..=5,
        any::<u32>(),
    )
        .prop_map(|(spec, tokens, groups, words, depth, lanes)| {
            let l = spec.lookup_lanes();
            TopSpec {
                source: Source::Tlmm {
                    spec,
                    capacity: TlmmCapacity {
                        max_tokens: tokens,
                        max_groups: groups,
                        weight_words: words,
                        weight_ram: lutforge_fpga::resources::BufferRam::Bram,
                    },
                },
                fifo_depth: depth,
                eltwise: EltwiseSpec {
                    lanes_in: l,
                    lanes: 1 + lanes % l,
                    acc_bits: spec.acc_bits,
                },
                has_vq2d: false,
                streams_weights: false,
            }
        })
}

/// A legal job of `top` with its requantizer parameters.
fn tlmm_input(top: TopSpec) -> impl Strategy<Value = (TopSpec, TopInput)> {
    let Source::Tlmm { spec, capacity } = top.source else {
        unreachable!()
    };
    // n up to what the groups and words allow, then k up to the words left per group.
    let lanes = u64::from(spec.lookup_lanes());
    let words = u64::from(capacity.weight_words);
    let max_n = u64::from(capacity.max_groups).min(words) * lanes;
    (
        1..=u64::from(capacity.max_tokens),
        1..=max_n,
        -32768i32..=32767,
        0..=top.eltwise.max_shift(),
    )
        .prop_flat_map(move |(m, n, scale, shift)| {
            let max_k = words / n.div_ceil(lanes) * spec.block_activations();
            (Just((m, n, scale, shift)), 1..=max_k)
        })
        .prop_flat_map(move |((m, n, scale, shift), k)| {
            (
                prop::collection::vec(any::<i8>(), (m * k) as usize),
                prop::collection::vec(-1i8..=1, (n * k) as usize),
            )
                .prop_map(move |(activations, weights)| {
                    (
                        top,
                        TopInput {
                            job: TopJob::Tlmm(TlmmTopJob {
                                m,
                                n,
                                k,
                                activations,
                                weights,
                            }),
                            scale,
                            shift,
                        },
                    )
                })
        })
}

/// A stream top (1..=6 lanes, FIFO 1..=5, 1..=L requantizers) and a job of 1..=30 beats.
fn stream_input() -> impl Strategy<Value = (TopSpec, TopInput)> {
    (1u32..=6, 1u32..=5, any::<u32>(), 1usize..=30).prop_flat_map(|(lanes, depth, r, beats)| {
        let top = TopSpec {
            source: Source::Stream { lanes },
            fifo_depth: depth,
            eltwise: EltwiseSpec {
                lanes_in: lanes,
                lanes: 1 + r % lanes,
                acc_bits: 32,
            },
            has_vq2d: true,
            streams_weights: false,
        };
        (
            prop::collection::vec(
                prop::collection::vec(i64::from(i32::MIN)..=i64::from(i32::MAX), lanes as usize),
                beats,
            ),
            -32768i32..=32767,
            0u32..=47,
        )
            .prop_map(move |(values, scale, shift)| {
                (
                    top,
                    TopInput {
                        job: TopJob::Stream(values),
                        scale,
                        shift,
                    },
                )
            })
    })
}

/// The expected `res` lanes: the integer GEMM wrapped to `acc_bits`, requantized, in beats of
/// `L` lanes (zero past `n`).
fn reference(top: &TopSpec, input: &TopInput) -> Vec<i64> {
    let l = top.beat_lanes() as usize;
    let q = |x: i64| requantize(x, input.scale, input.shift);
    match &input.job {
        TopJob::Tlmm(j) => {
            let (m, n, k) = (j.m as usize, j.n as usize, j.k as usize);
            let mut kn = vec![0i32; k * n];
            for o in 0..n {
                for kk in 0..k {
                    kn[kk * n + o] = i32::from(j.weights[o * k + kk]);
                }
            }
            let c = int_gemm(&j.activations, &kn, GemmShape { m, k, n }).unwrap();
            let shift = 64 - top.acc_bits();
            let groups = n.div_ceil(l);
            let mut out = Vec::new();
            for t in 0..m {
                for o in 0..groups * l {
                    out.push(if o < n {
                        q((c[t * n + o] << shift) >> shift)
                    } else {
                        0
                    });
                }
            }
            out
        }
        TopJob::Stream(beats) => beats.iter().flatten().map(|&x| q(x)).collect(),
    }
}

fn check(top: &TopSpec, input: &TopInput) -> Result<(), TestCaseError> {
    let run = stepped::run(top, input).unwrap();
    let cost = fast::cost(top, input.job.shape()).unwrap();
    prop_assert_eq!(cost.cycles, run.cycles);
    prop_assert_eq!(cost.tlmm_cycles, run.tlmm_cycles);
    prop_assert_eq!(&run.results, &reference(top, input));
    prop_assert_eq!(run.res_cycles.len() as u64, cost.line_beats);
    prop_assert_eq!(run.res_cycles.last().copied(), Some(run.cycles - 1));
    prop_assert!(run.fifo_peak_beats <= u64::from(top.fifo_depth));
    // Results leave one per S cycles when the FIFO has two slots or more, and the source is
    // held back exactly when the element-wise engine is slower than it.
    let s = cost.slices;
    if top.fifo_depth >= 2 {
        for pair in run.res_cycles.windows(2) {
            prop_assert_eq!(pair[1] - pair[0], s);
        }
        let n = cost.line_beats;
        if s == 1 || n <= u64::from(top.fifo_depth) {
            prop_assert_eq!(run.source_blocked_cycles, 0);
        }
    }
    match input.job {
        TopJob::Tlmm(_) => {
            let w = cost.load_beats;
            prop_assert_eq!(&run.input_cycles[0], &(1..=w).collect::<Vec<_>>());
            prop_assert!(run.input_cycles[1]
                .iter()
                .all(|&c| c > w && c <= w + run.tlmm_cycles));
        }
        TopJob::Stream(_) => {
            prop_assert_eq!(run.input_cycles[0].len() as u64, cost.line_beats);
            prop_assert_eq!(run.input_cycles[0][0], 1);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::persisted(96, REGRESSIONS))]

    /// TLMM top: fast == stepped cycles; stepped values == requantized integer GEMM.
    #[test]
    fn tlmm_top_fast_equals_stepped_and_values_are_exact((top, input) in tlmm_top().prop_flat_map(tlmm_input)) {
        check(&top, &input)?;
    }

    /// Stream top: the same, on the FIFO -> element-wise line alone.
    #[test]
    fn stream_top_fast_equals_stepped_and_values_are_exact((top, input) in stream_input()) {
        check(&top, &input)?;
    }
}

fn design(name: &str) -> (Arch, FpgaDesign) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../configs/arch")
        .join(name);
    let arch = Arch::from_file(&path).unwrap();
    let design = arch.machine_as::<FpgaDesign>().unwrap().clone();
    (arch, design)
}

#[test]
fn the_shipped_architectures_give_the_documented_tops() {
    let (arch, d) = design("fpga-kv260-tellme.toml");
    let top = TopSpec::of(&d, arch.vector_lanes(), None).unwrap();
    let Source::Tlmm { spec, .. } = top.source else {
        panic!("{top:?}")
    };
    assert_eq!((spec.tables, spec.lookup_lanes()), (28, 8));
    // fifo_depth = 2 token rows of 4 beats; 8 lanes and 16 fp16 lanes: one slice per beat.
    assert_eq!(
        (top.fifo_depth, top.eltwise.lanes, top.eltwise.slices()),
        (8, 8, 1)
    );
    assert_eq!(
        top.cmd_fields(),
        vec![
            ("tokens", 3),
            ("outputs", 6),
            ("blocks", 14),
            ("scale", 16),
            ("shift", 6)
        ]
    );
    assert_eq!(top.input_streams(), vec![("wld", 8 * 28 * 5), ("act", 8)]);
    assert!(top.notes()[0].starts_with("the attention engine has no RTL yet"));
    // One 84-activation block for 2 tokens and 16 outputs: 2 load beats, 2 sets of 84 reads,
    // 1 add cycle and 2 lookups, the 12-cycle pipeline, 4 result beats.
    let cost = fast::cost(
        &top,
        lutforge_sim::fpga_dataflow::top::JobShape::Tlmm { m: 2, n: 16, k: 84 },
    )
    .unwrap();
    assert_eq!(cost.tlmm_cycles, 2 * (84 + 1 + 2) + 12);
    assert_eq!(cost.cycles, 2 + 1 + cost.tlmm_cycles + 4 + 2);

    let (arch, d) = design("fpga-v80-lutllm.toml");
    let top = TopSpec::of(&d, arch.vector_lanes(), None).unwrap();
    assert_eq!(top.source, Source::Stream { lanes: 32 });
    assert_eq!(top.fifo_depth, 8);
    assert_eq!(top.input_streams(), vec![("acc", 32 * 32)]);
    assert!(
        top.notes()[0].starts_with("the vq2d engine"),
        "{:?}",
        top.notes()
    );
}

#[test]
fn bad_jobs_are_errors_naming_the_field() {
    let (arch, d) = design("fpga-kv260-tellme.toml");
    let top = TopSpec::of(&d, arch.vector_lanes(), None).unwrap();
    let job = |m: u64, n: u64, k: u64| TopInput {
        job: TopJob::Tlmm(TlmmTopJob {
            m,
            n,
            k,
            activations: vec![0; (m * k) as usize],
            weights: vec![0; (n * k) as usize],
        }),
        scale: 1,
        shift: 0,
    };
    let err = |input: &TopInput| stepped::run(&top, input).unwrap_err().to_string();
    assert_eq!(
        err(&job(5, 1, 1)),
        "fpga top field `m`: must be 1..=4 (the top's capacity) (got 5)"
    );
    assert_eq!(
        err(&job(1, 33, 1)),
        "fpga top field `n`: must be 1..=32 (the top's capacity) (got 33)"
    );
    // The 1,497 KiB buffer holds 10,949 words of 8 outputs x 84 activations.
    assert_eq!(
        err(&job(1, 1, 919_717)),
        "fpga top field `k`: must be 1..=919716 (the top's capacity) (got 919717)"
    );
    // 4 groups of 2,738 blocks: 10,952 words.
    assert_eq!(
        err(&job(1, 32, 2738 * 84)),
        "fpga top field `blocks x groups`: must be at most the weight buffer's 10949 words (got 10952)"
    );
    assert_eq!(
        err(&TopInput {
            shift: 40,
            ..job(1, 1, 1)
        }),
        "eltwise field `shift`: must be 0..=39 (acc_bits + 15) (got 40)"
    );
    assert_eq!(
        err(&TopInput {
            job: TopJob::Stream(vec![vec![0; 8]]),
            ..job(1, 1, 1)
        }),
        "fpga top: a stream job on a TLMM top"
    );
}
