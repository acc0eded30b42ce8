//! The FIFO line of the FPGA dataflow family: the cycle-stepped simulation equals the
//! streaming recurrence on every field (total, busy, blocked, starved, FIFO peaks), and a FIFO
//! too shallow for an engine's burst stalls the stage before it.

use lutforge_sim::fpga_dataflow::pipeline::stepped;
use lutforge_sim::schedule::streaming;
use proptest::prelude::*;

mod common;

const REGRESSIONS: &str = common::regressions!("fpga_pipeline");

/// Depths per stage (1..=8) and service times per (stage, item) (1..=12), for 1..=5 stages and
/// 0..=60 items.
fn line() -> impl Strategy<Value = (Vec<u64>, u64, Vec<Vec<u64>>)> {
    (1usize..=5, 0u64..=60).prop_flat_map(|(stages, items)| {
        (
            prop::collection::vec(1u64..=8, stages),
            Just(items),
            prop::collection::vec(prop::collection::vec(1u64..=12, items as usize), stages),
        )
    })
}

proptest! {
    #![proptest_config(common::persisted(64, REGRESSIONS))]

    /// Stepping the line cycle by cycle gives exactly the recurrence's result.
    #[test]
    fn stepped_line_equals_the_recurrence((depths, items, service) in line()) {
        let cost = |i: usize, n: u64| service[i][n as usize];
        let fast = streaming::run(&depths, items, cost);
        let stepped = stepped::run(&depths, items, cost).unwrap();
        prop_assert_eq!(stepped, fast);
    }
}

#[test]
fn a_fifo_too_shallow_for_the_burst_stalls_a_deeper_one_removes_it() {
    // Stage 0 steadily takes 3 cycles; the engine after it takes 20 on every 8th item and 1
    // otherwise (27 cycles per 8 items against stage 0's 24, so a deep FIFO fills slowly).
    let service = |i: usize, n: u64| match (i, n % 8) {
        (0, _) => 3,
        (_, 0) => 20,
        _ => 1,
    };
    let items = 64;
    let shallow = streaming::run(&[1, 1], items, service);
    let deep = streaming::run(&[1, 16], items, service);
    for (depths, fast) in [([1, 1], &shallow), ([1, 16], &deep)] {
        assert_eq!(&stepped::run(&depths, items, service).unwrap(), fast);
    }
    assert!(
        shallow.blocked_cycles[0] > 0,
        "depth 1 stalls stage 0: {shallow:?}"
    );
    assert_eq!(shallow.fifo_peak_items[1], 1);
    assert_eq!(deep.blocked_cycles[0], 0, "depth 16 absorbs it: {deep:?}");
    assert!(
        deep.total_cycles < shallow.total_cycles,
        "{deep:?} vs {shallow:?}"
    );
    assert!(deep.fifo_peak_items[1] > 1);
    println!(
        "burst: depth 1 {} cycles ({} blocked), depth 16 {} cycles ({} blocked, peak {})",
        shallow.total_cycles,
        shallow.blocked_cycles[0],
        deep.total_cycles,
        deep.blocked_cycles[0],
        deep.fifo_peak_items[1]
    );
}
