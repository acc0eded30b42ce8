//! The op-by-op timeline of a simulation in Chrome trace-event format (JSON object form), for
//! Perfetto or chrome://tracing.
//!
//! One process per phase step is too many; instead there is one process (the chip) with three
//! tracks, each drawn where the scheduler placed it: `compute` (the op's unit from its first
//! compute to its end), `dram` (from its first transfer to its last, which under the overlapped
//! schedule starts during the previous op: the prefetch) and `stall` (the part of the op's span
//! beyond its compute cycles). Timestamps are microseconds of simulated time, derived from the
//! cycle counts and the clock. A dataflow design (an FPGA pipeline) draws each op's compute
//! on a track of its engine instead (`engine tlmm`, `engine attention`, ...), one per engine
//! in order of first use.

use lutforge_sim::engine::TimelineEntry;
use lutforge_sim::mapper::Unit;
use lutforge_sim::Report;
use serde_json::{json, Value};

const TRACK_COMPUTE: u32 = 1;
const TRACK_DRAM: u32 = 2;
const TRACK_STALL: u32 = 3;
/// The first engine track; engines follow in order of first use.
const TRACK_ENGINE_BASE: u32 = 10;

/// Renders the timeline as a Chrome trace JSON document.
pub fn chrome_trace(report: &Report, timeline: &[TimelineEntry]) -> String {
    let us_per_cycle = 1.0 / report.summary.clock_mhz;
    let mut events: Vec<Value> = vec![
        json!({"name": "process_name", "ph": "M", "pid": 1, "args": {"name": format!("{} on {}", report.inputs.model.name, report.inputs.arch.name)}}),
        json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": TRACK_COMPUTE, "args": {"name": "compute"}}),
        json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": TRACK_DRAM, "args": {"name": "dram"}}),
        json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": TRACK_STALL, "args": {"name": "stall"}}),
    ];
    let mut engines: Vec<&'static str> = Vec::new();
    for entry in timeline {
        let compute_track = match entry.cost.unit {
            Unit::Engine(engine) => {
                let index = match engines.iter().position(|e| *e == engine) {
                    Some(i) => i,
                    None => {
                        engines.push(engine);
                        let tid = TRACK_ENGINE_BASE + engines.len() as u32 - 1;
                        events.push(json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": {"name": format!("engine {engine}")}}));
                        engines.len() - 1
                    }
                };
                TRACK_ENGINE_BASE + index as u32
            }
            _ => TRACK_COMPUTE,
        };
        let name = match entry.layer {
            Some(layer) => format!("L{layer}.{}", entry.kind.as_str()),
            None => entry.kind.as_str().to_string(),
        };
        let p = entry.placement;
        let args = json!({
            "phase": entry.phase.as_str(),
            "step": entry.step,
            "compute_cycles": entry.cost.compute_cycles,
            "transfer_cycles": entry.cost.transfer_cycles,
            "stall_cycles": entry.cost.stall_cycles,
            "dram_bytes": entry.cost.dram_bytes,
        });
        let mut push = |tid: u32, start: u64, end: u64| {
            if end > start {
                events.push(json!({
                    "name": name, "cat": entry.phase.as_str(), "ph": "X", "pid": 1, "tid": tid,
                    "ts": start as f64 * us_per_cycle,
                    "dur": (end - start) as f64 * us_per_cycle, "args": args,
                }));
            }
        };
        push(compute_track, p.compute_start, p.end);
        if entry.cost.dram_bytes > 0 {
            push(TRACK_DRAM, p.dram_start, p.dram_end);
        }
        let busy_end = p.compute_start + entry.cost.compute_cycles;
        push(TRACK_STALL, busy_end.min(p.end), p.end);
    }
    let doc = json!({"traceEvents": events, "displayTimeUnit": "ns"});
    doc.to_string()
}
