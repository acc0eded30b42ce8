//! The op-by-op timeline of a simulation in Chrome trace-event format (JSON object form), for
//! Perfetto or chrome://tracing.
//!
//! One process per phase step is too many; instead there is one process (the chip) with three
//! tracks: `compute` (the executing unit busy), `dram` (transfers at peak bandwidth, drawn from the
//! op's start) and `stall` (the part of each op beyond its compute). Timestamps are microseconds
//! of simulated time, derived from the cycle counts and the clock.

use lutforge_sim::engine::TimelineEntry;
use lutforge_sim::Report;
use serde_json::{json, Value};

const TRACK_COMPUTE: u32 = 1;
const TRACK_DRAM: u32 = 2;
const TRACK_STALL: u32 = 3;

/// Renders the timeline as a Chrome trace JSON document.
pub fn chrome_trace(report: &Report, timeline: &[TimelineEntry]) -> String {
    let us_per_cycle = 1.0 / report.summary.clock_mhz;
    let mut events: Vec<Value> = vec![
        json!({"name": "process_name", "ph": "M", "pid": 1, "args": {"name": format!("{} on {}", report.inputs.model.name, report.inputs.arch.name)}}),
        json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": TRACK_COMPUTE, "args": {"name": "compute"}}),
        json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": TRACK_DRAM, "args": {"name": "dram"}}),
        json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": TRACK_STALL, "args": {"name": "stall"}}),
    ];
    for entry in timeline {
        let name = match entry.layer {
            Some(layer) => format!("L{layer}.{}", entry.kind.as_str()),
            None => entry.kind.as_str().to_string(),
        };
        let ts = entry.start_cycle as f64 * us_per_cycle;
        let args = json!({
            "phase": entry.phase.as_str(),
            "step": entry.step,
            "compute_cycles": entry.cost.compute_cycles,
            "transfer_cycles": entry.cost.transfer_cycles,
            "stall_cycles": entry.cost.stall_cycles,
            "dram_bytes": entry.cost.dram_bytes,
        });
        let mut push = |tid: u32, start_us: f64, cycles: u64| {
            if cycles > 0 {
                events.push(json!({
                    "name": name, "cat": entry.phase.as_str(), "ph": "X", "pid": 1, "tid": tid,
                    "ts": start_us, "dur": cycles as f64 * us_per_cycle, "args": args,
                }));
            }
        };
        push(TRACK_COMPUTE, ts, entry.cost.compute_cycles);
        push(TRACK_DRAM, ts, entry.cost.transfer_cycles);
        push(
            TRACK_STALL,
            ts + entry.cost.compute_cycles as f64 * us_per_cycle,
            entry.cost.stall_cycles,
        );
    }
    let doc = json!({"traceEvents": events, "displayTimeUnit": "ns"});
    doc.to_string()
}
