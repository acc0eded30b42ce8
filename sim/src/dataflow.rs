//! The seam for dataflow families: a machine whose engines stream into one another costs a
//! whole forward pass at once, because one op's time depends on its neighbours (an element-wise
//! op fused behind a matrix product costs only its drain; ops on different engines overlap
//! token by token). The engine asks [`crate::family::Machine::dataflow`] first; a machine that
//! returns `None` is costed op by op by [`crate::mapper`].
//!
//! Invariant: the per-op costs a [`Dataflow`] returns are shares of the timeline (the time each
//! op adds after the previous one ends), so they add up to the pass's time exactly as the
//! sequential schedule's do, and the engine places them one after another.

use lutforge_workloads::Op;

use crate::arch::Arch;
use crate::error::SimError;
use crate::mapper::OpCost;

/// A machine that costs a forward pass's ops together.
pub trait Dataflow: Send + Sync {
    /// Costs `ops` (one forward pass as lowered: the layer stack's ops once, with `repeat`
    /// the layer count): one [`OpCost`] per op for one repetition, whose `total_cycles` is the
    /// op's share of the timeline, and the engines' activity over the whole pass (every
    /// repetition counted).
    fn step(&self, arch: &Arch, ops: &[Op]) -> Result<DataflowStep, SimError>;

    /// The device resources of each block of the design, then their total and what the
    /// device has (the rows of the report's resource table).
    fn resources(&self, arch: &Arch) -> Vec<ResourceRow>;
}

/// One row of a design's resource table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResourceRow {
    /// Block (`tlmm`, `FIFOs between engines`, `total`, `<device> available`).
    pub name: String,
    /// Look-up tables.
    pub luts: u64,
    /// Flip-flops.
    pub ffs: u64,
    /// DSP slices.
    pub dsp: u64,
    /// Block RAM, 36 kbit tiles.
    pub bram36: f64,
    /// UltraRAM blocks.
    pub uram: u64,
}

/// The cost of one forward pass on a dataflow machine.
#[derive(Debug, Clone, PartialEq)]
pub struct DataflowStep {
    /// Per op, one repetition; `total_cycles` is its share of the timeline.
    pub costs: Vec<OpCost>,
    /// Per engine, in the machine's engine order.
    pub engines: Vec<EngineActivity>,
}

/// What one engine did over a run: busy and stalled cycles by cause, and the fullest its
/// input FIFO got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EngineActivity {
    /// Engine name (`tlmm`, `attention`, ...).
    pub name: &'static str,
    /// Cycles it computed.
    pub busy_cycles: u64,
    /// Cycles it waited for weights or KV entries from off-chip memory.
    pub dram_wait_cycles: u64,
    /// Cycles a finished item waited for room in the FIFO downstream (back-pressure).
    pub blocked_cycles: u64,
    /// Cycles it sat idle inside a stream waiting for its producer.
    pub starved_cycles: u64,
    /// The most items its input FIFO held at once.
    pub fifo_peak_items: u64,
    /// Its input FIFO's depth, items.
    pub fifo_depth_items: u64,
    /// Cycles an optimization of the engine saved against the same engine without it,
    /// measured on the pass's data (an SRAM-PIM bank's pattern-aware table build: the builds
    /// its rule skipped); 0 for an engine without one.
    pub saved_cycles: u64,
    /// The name of that optimization (snake case, the report's key), if the engine has one.
    pub saving: Option<&'static str>,
}

impl EngineActivity {
    /// Adds `other`'s cycles and keeps the larger FIFO peak (and the first saving's name).
    pub fn absorb(&mut self, other: &EngineActivity) {
        self.busy_cycles += other.busy_cycles;
        self.dram_wait_cycles += other.dram_wait_cycles;
        self.blocked_cycles += other.blocked_cycles;
        self.starved_cycles += other.starved_cycles;
        self.fifo_peak_items = self.fifo_peak_items.max(other.fifo_peak_items);
        self.fifo_depth_items = self.fifo_depth_items.max(other.fifo_depth_items);
        self.saved_cycles += other.saved_cycles;
        self.saving = self.saving.or(other.saving);
    }

    /// The activity `times` over (a layer repeated).
    pub fn times(&self, times: u64) -> EngineActivity {
        EngineActivity {
            busy_cycles: self.busy_cycles * times,
            dram_wait_cycles: self.dram_wait_cycles * times,
            blocked_cycles: self.blocked_cycles * times,
            starved_cycles: self.starved_cycles * times,
            saved_cycles: self.saved_cycles * times,
            ..*self
        }
    }
}
