//! SCALE-Sim 3.0.0's memory system, reproduced exactly (the `--scalesim-compat` model).
//!
//! SCALE-Sim serves the array's demand one cycle (demand row) at a time through three
//! double-buffered SRAMs. Its ifmap and filter buffers decide DRAM traffic by *address identity*
//! (a buffer remembers which addresses it holds), and its ofmap buffer drains lines of words
//! whose fill depends on every earlier write. Their counts and cycles are therefore path
//! dependent; this module walks the demand rows that [`super::geometry::Mapping::row_span`]
//! describes in closed form, touching each demanded word once with O(1) work (an epoch stamp or
//! a line index per address) instead of SCALE-Sim's matrices, sets and per-word Python loops.
//!
//! The quirks it reproduces on purpose (each visible in SCALE-Sim's reports):
//! - CALC mode reads never stall; a buffer forgets everything it holds each time it has
//!   collected 50 "sets" of `floor(sram_words / 100)` new addresses, so reuse beyond that
//!   distance is refetched, and its DRAM trace is timed from the cycles those sets filled.
//! - USER mode read misses add the prefetch delay *twice* when positive and *subtract* it when
//!   negative (`offset += potential; if potential > 0: offset += potential`).
//! - USER mode ifmap/filter DRAM ports use `IfmapSRAMBankBandwidth`/`FilterSRAMBankBandwidth`
//!   from the `[layout]` section; only the ofmap port uses `Bandwidth`.
//! - The ofmap buffer writes a partly filled line to DRAM at every drain and later counts it
//!   as full unless it is the last line of a drain, so DRAM OFMAP Writes can exceed the SRAM writes.
//! - Output-stationary SRAM OFMAP Writes include `rows + cols` phantom writes per fold.

use std::collections::HashMap;

use super::config::Dataflow;
use super::geometry::{IfmapAddr, Layer, Mapping, Operand, RowSpan};

/// One SRAM's or DRAM port's activity: first and last active cycle and the words moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    /// First cycle with traffic.
    pub start_cycle: i64,
    /// Last cycle with traffic.
    pub stop_cycle: i64,
    /// Words read or written.
    pub words: u64,
}

/// Everything SCALE-Sim reports for one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerResult {
    /// From the first DRAM prefetch to the last ofmap DRAM write.
    pub total_cycles_incl_prefetch: i64,
    /// Cycle of the last ofmap SRAM write.
    pub total_cycles: i64,
    /// Cycles the array waited on memory.
    pub stall_cycles: i64,
    /// MACs / (total cycles x PEs), percent.
    pub overall_util_pct: f64,
    /// Mean fraction of PEs mapped per fold, percent.
    pub mapping_efficiency_pct: f64,
    /// Mean fraction of PE-cycles computing per fold, percent.
    pub compute_util_pct: f64,
    /// SRAM reads of ifmap, filter; writes of ofmap.
    pub sram: [Access; 3],
    /// DRAM reads of ifmap, filter; writes of ofmap.
    pub dram: [Access; 3],
}

impl LayerResult {
    /// Average bandwidths, words per cycle: SRAM ifmap, filter, ofmap, then DRAM ifmap, filter,
    /// ofmap, computed as SCALE-Sim does.
    pub fn bandwidths(&self) -> [f64; 6] {
        let tc = self.total_cycles as f64;
        let dram = |a: &Access| a.words as f64 / (a.stop_cycle - a.start_cycle + 1) as f64;
        [
            self.sram[0].words as f64 / tc,
            self.sram[1].words as f64 / tc,
            self.sram[2].words as f64 / tc,
            dram(&self.dram[0]),
            dram(&self.dram[1]),
            dram(&self.dram[2]),
        ]
    }
}

/// Memory parameters of a replay, in SCALE-Sim's terms (one word = one byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayMemory {
    /// Ifmap SRAM, words.
    pub ifmap_words: u64,
    /// Filter SRAM, words.
    pub filter_words: u64,
    /// Ofmap SRAM, words.
    pub ofmap_words: u64,
    /// `None` for CALC mode; USER mode's (ifmap, filter, ofmap) DRAM words per cycle.
    pub user_bandwidth: Option<(u64, u64, u64)>,
}

/// A layer SCALE-Sim itself could not finish (it would crash or loop forever).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReplayError(pub String);

/// Read-side hit latency of SCALE-Sim's SRAMs and DRAM port, cycles.
const HIT_LATENCY: i64 = 1;
/// CALC mode's nominal fill bandwidth, words per cycle ("the number 10 is arbitrary").
const CALC_READ_BW: u64 = 10;
/// Sets in each half of a CALC-mode read buffer (active fraction 0.5 of 100 sets).
const CALC_SETS_PER_HALF: u64 = 50;

/// How a CALC-mode read buffer knows whether an address was already fetched in its current
/// half (epoch).
enum Tracking {
    /// An epoch stamp per address: the general case (convolution ifmaps, whose windows overlap).
    Stamps(Vec<u32>),
    /// One state per *block*, for operands whose addresses split into disjoint blocks that every
    /// fold visiting them walks completely, each address once, in the same order (every GEMM
    /// operand and every filter). A walk's stamps are then non-decreasing along that order, so
    /// the addresses still stamped with the newest epoch are exactly a suffix: the positions
    /// after the walk's last epoch boundary (or all of them when none fell inside the walk).
    Blocks(Vec<BlockState>),
}

/// What the previous walk of a block left behind: positions `>= from` carry stamp `epoch`, the
/// others an older one.
#[derive(Debug, Clone, Copy, Default)]
struct BlockState {
    epoch: u32,
    from: u64,
}

/// CALC-mode read buffer (`ReadBufferEstimateBw`).
struct EstimateBuffer {
    items_per_set: u64,
    tracking: Tracking,
    epoch: u32,
    in_set: u64,
    set_id: i64,
    sets_since_boundary: u64,
    boundaries: u64,
    first_request: Option<i64>,
    last_start: i64,
    last_end: i64,
    misses: u64,
    dram_start: Option<i64>,
    dram_stop: i64,
    error: Option<String>,
    /// The block being walked: its previous state, the walk's position and the position after
    /// the walk's last boundary (0 when none yet).
    walk: BlockState,
    walk_pos: u64,
    walk_from: u64,
}

impl EstimateBuffer {
    fn new(sram_words: u64, tracking: Tracking) -> EstimateBuffer {
        EstimateBuffer {
            items_per_set: sram_words / 100,
            tracking,
            epoch: 1,
            in_set: 0,
            set_id: 0,
            sets_since_boundary: 0,
            boundaries: 0,
            first_request: None,
            last_start: -2,
            last_end: -1,
            misses: 0,
            dram_start: None,
            dram_stop: 0,
            error: None,
            walk: BlockState::default(),
            walk_pos: 0,
            walk_from: 0,
        }
    }

    fn record(&mut self, start: i64, end: i64) {
        if end < start {
            self.error.get_or_insert_with(|| {
                "SCALE-Sim divides by zero here (two prefetch boundaries in one cycle)".to_string()
            });
            return;
        }
        self.dram_start.get_or_insert(start + HIT_LATENCY);
        self.dram_stop = end + HIT_LATENCY;
    }

    /// One demanded address in stamp mode.
    #[inline]
    fn access(&mut self, cycle: i64, addr: u64) {
        let Tracking::Stamps(stamp) = &mut self.tracking else {
            unreachable!("per-address access on a block-tracked buffer")
        };
        let slot = &mut stamp[addr as usize];
        if *slot == self.epoch {
            return;
        }
        *slot = self.epoch;
        self.misses += 1;
        self.in_set += 1;
        if self.in_set == self.items_per_set {
            self.in_set = 0;
            self.set_id += 1;
            self.sets_since_boundary += 1;
            if self.sets_since_boundary == CALC_SETS_PER_HALF {
                self.sets_since_boundary = 0;
                self.boundary(cycle);
            }
        }
    }

    /// Up to `run` consecutive misses, stopping right after an epoch boundary; `cycle_of(i)` is
    /// the cycle of the run's `i`-th miss (asked only for the one that ends at a boundary).
    /// Returns how many were taken and whether a boundary ended the run. Equivalent to `run`
    /// calls of the miss branch of [`Self::access`].
    #[inline]
    fn miss_run(&mut self, run: u64, cycle_of: impl FnOnce(u64) -> i64) -> (u64, bool) {
        let ips = self.items_per_set;
        if ips == 0 {
            // Sets never fill (SCALE-Sim compares the count with 0 after incrementing it).
            self.misses += run;
            self.in_set += run;
            return (run, false);
        }
        let to_boundary = (CALC_SETS_PER_HALF - self.sets_since_boundary) * ips - self.in_set;
        if run < to_boundary {
            let filled = self.in_set + run;
            let sets = filled / ips;
            self.in_set = filled % ips;
            self.set_id += sets as i64;
            self.sets_since_boundary += sets;
            self.misses += run;
            return (run, false);
        }
        self.set_id += (CALC_SETS_PER_HALF - self.sets_since_boundary) as i64;
        self.in_set = 0;
        self.sets_since_boundary = 0;
        self.misses += to_boundary;
        self.boundary(cycle_of(to_boundary - 1));
        (to_boundary, true)
    }

    /// Starts a walk of block `block` (block mode).
    #[inline]
    fn begin_walk(&mut self, block: u64) {
        if let Tracking::Blocks(states) = &self.tracking {
            self.walk = states[block as usize];
            self.walk_pos = 0;
            self.walk_from = 0;
        }
    }

    /// The next `len` positions of the current walk, all demanded at `cycle` (block mode).
    #[inline]
    fn walk_row(&mut self, len: u64, cycle: i64) {
        let end = self.walk_pos + len;
        self.walk_to(end, |_| cycle);
    }

    /// Walks positions `walk_pos..end`; `cycle_at(p)` is the cycle position `p` is demanded.
    #[inline]
    fn walk_to(&mut self, end: u64, cycle_at: impl Fn(u64) -> i64) {
        let mut x = self.walk_pos;
        while x < end {
            let stop = if self.walk.epoch == self.epoch {
                if x >= self.walk.from {
                    break; // the rest still carries the current epoch: hits
                }
                end.min(self.walk.from)
            } else {
                end
            };
            let (taken, boundary) = self.miss_run(stop - x, |i| cycle_at(x + i));
            x += taken;
            if boundary {
                self.walk_from = x;
            }
        }
        self.walk_pos = end;
    }

    /// Ends the walk of block `block` (block mode).
    #[inline]
    fn end_walk(&mut self, block: u64) {
        let (epoch, from) = (self.epoch, self.walk_from);
        if let Tracking::Blocks(states) = &mut self.tracking {
            states[block as usize] = BlockState { epoch, from };
        }
    }

    fn boundary(&mut self, cycle: i64) {
        if self.boundaries == 0 {
            self.last_end = self.first_request.unwrap_or(0) - 1 - HIT_LATENCY;
            let cycles = (CALC_SETS_PER_HALF * self.items_per_set).div_ceil(CALC_READ_BW) as i64;
            self.last_start = self.last_end - cycles + 1;
        }
        self.record(self.last_start, self.last_end);
        self.boundaries += 1;
        self.epoch += 1;
        self.last_start = self.last_end + 1;
        self.last_end = cycle;
    }

    fn finish(&mut self) -> Result<Access, ReplayError> {
        if self.in_set == 0 {
            self.set_id -= 1;
        }
        if self.boundaries == 0 {
            self.last_end = -1 - HIT_LATENCY;
            let sets = (self.set_id + 1).max(0) as u64;
            let cycles = (sets * self.items_per_set).div_ceil(CALC_READ_BW) as i64;
            self.last_start = self.last_end - cycles + 1;
        }
        self.record(self.last_start, self.last_end);
        if let Some(e) = self.error.take() {
            return Err(ReplayError(e));
        }
        Ok(Access {
            start_cycle: self.dram_start.unwrap_or(0),
            stop_cycle: self.dram_stop,
            words: self.misses,
        })
    }
}

/// USER-mode read buffer (`read_buffer`): a window of lines over the prefetch order.
struct UserBuffer {
    bw: u64,
    active_words: u64,
    prefetch_words: u64,
    first_line: Vec<u32>,
    more_lines: HashMap<u64, Vec<u32>>,
    num_lines: u64,
    active_lines: u64,
    prefetch_lines: u64,
    fetch_rows: u64,
    started: bool,
    window: (u64, u64),
    last_prefetch: i64,
    accesses: u64,
    dram_start: i64,
}

const NO_LINE: u32 = u32::MAX;

impl UserBuffer {
    fn new(
        mapping: &Mapping,
        op: Operand,
        sram_words: u64,
        bw: u64,
        addresses: u64,
        addr_of: &dyn Fn((u64, u64)) -> Option<u64>,
    ) -> UserBuffer {
        let active_words = sram_words.div_ceil(2);
        let prefetch_words = sram_words - active_words;
        let per_line = sram_words.div_ceil(100).max(1);
        let mut first_line = vec![NO_LINE; addresses as usize];
        let mut more_lines: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut valid = 0u64;
        mapping.prefetch_order(op, |entry| {
            let Some(addr) = entry.and_then(addr_of) else {
                return;
            };
            let line = (valid / per_line) as u32;
            valid += 1;
            let slot = &mut first_line[addr as usize];
            if *slot == NO_LINE {
                *slot = line;
            } else if *slot != line {
                let extra = more_lines.entry(addr).or_default();
                if extra.last() != Some(&line) {
                    extra.push(line);
                }
            }
        });
        let num_lines = valid / per_line + 1;
        let active_lines = active_words.div_ceil(per_line).min(num_lines);
        let prefetch_lines = prefetch_words
            .div_ceil(per_line)
            .min(num_lines - active_lines);
        UserBuffer {
            bw,
            active_words,
            prefetch_words,
            first_line,
            more_lines,
            num_lines,
            active_lines,
            prefetch_lines,
            fetch_rows: mapping.prefetch_len(op).div_ceil(bw),
            started: false,
            window: (0, active_lines),
            last_prefetch: 0,
            accesses: 0,
            dram_start: 0,
        }
    }

    #[inline]
    fn in_window(&self, line: u32) -> bool {
        let (start, end) = self.window;
        let l = line as u64;
        if start < end {
            start <= l && l < end
        } else {
            l >= start || l < end
        }
    }

    #[inline]
    fn hit(&self, addr: u64) -> bool {
        let first = self.first_line[addr as usize];
        if first == NO_LINE {
            return false;
        }
        if self.in_window(first) {
            return true;
        }
        match self.more_lines.get(&addr) {
            Some(lines) => lines.iter().any(|&l| self.in_window(l)),
            None => false,
        }
    }

    fn prefetch_active(&mut self, start_cycle: i64) {
        let mut lines = self.active_words.div_ceil(self.bw);
        if lines >= self.fetch_rows {
            lines = self.fetch_rows;
        }
        self.accesses += lines * self.bw;
        self.dram_start = start_cycle - lines as i64;
        self.last_prefetch = start_cycle - 1;
        self.window = (0, self.active_lines);
        self.started = true;
    }

    fn new_prefetch(&mut self) {
        let start = (self.window.0 + self.prefetch_lines) % self.num_lines;
        let end = (start + self.active_lines) % self.num_lines;
        self.window = (start, end);
        let lines = self.prefetch_words.div_ceil(self.bw);
        self.accesses += lines * self.bw;
        self.last_prefetch += lines as i64 + 1;
    }

    fn service_row(&mut self, cycle: i64, addrs: &[u64]) -> Result<i64, ReplayError> {
        if !self.started {
            self.prefetch_active(cycle);
        }
        let mut offset = HIT_LATENCY;
        for &addr in addrs {
            let mut guard = 0u64;
            while !self.hit(addr) {
                guard += 1;
                if guard > self.num_lines + 2 {
                    return Err(ReplayError(format!(
                        "SCALE-Sim would loop forever: address {addr} never enters its read buffer"
                    )));
                }
                self.new_prefetch();
                let potential = self.last_prefetch - (cycle + offset);
                offset += potential;
                if potential > 0 {
                    offset += potential;
                }
            }
        }
        Ok(cycle + offset)
    }

    fn finish(&self) -> Access {
        Access {
            start_cycle: self.dram_start,
            stop_cycle: self.last_prefetch,
            words: self.accesses,
        }
    }
}

/// The ofmap SRAM (`write_buffer`).
struct WriteBuffer {
    bw: u64,
    active_words: i64,
    drain_words: u64,
    free: i64,
    line_fill: u64,
    /// Lines written and not yet drained, oldest first, run-length encoded as
    /// `(words in the line, lines)`; all lines are full (`bw` words) except those flushed
    /// partly filled at a drain.
    lines: std::collections::VecDeque<(u64, u64)>,
    queued_lines: u64,
    drain_end: i64,
    accesses: u64,
    dram: Option<(i64, i64)>,
}

impl WriteBuffer {
    fn new(sram_words: u64, bw: u64) -> WriteBuffer {
        let active = sram_words.div_ceil(2);
        WriteBuffer {
            bw,
            active_words: active as i64,
            drain_words: sram_words - active,
            free: sram_words as i64,
            line_fill: 0,
            lines: std::collections::VecDeque::new(),
            queued_lines: 0,
            drain_end: 0,
            accesses: 0,
            dram: None,
        }
    }

    #[inline]
    fn push_lines(&mut self, words: u64, count: u64) {
        if count == 0 {
            return;
        }
        self.queued_lines += count;
        match self.lines.back_mut() {
            Some((w, n)) if *w == words => *n += count,
            _ => self.lines.push_back((words, count)),
        }
    }

    fn flush_line(&mut self) {
        if self.line_fill != 0 {
            self.push_lines(self.line_fill, 1);
            self.line_fill = 0;
        }
    }

    /// Adds `k` words that fill lines without triggering anything else.
    #[inline]
    fn fill(&mut self, k: u64) {
        let filled = self.line_fill + k;
        self.push_lines(self.bw, filled / self.bw);
        self.line_fill = filled % self.bw;
        self.free -= k as i64;
    }

    fn drain(&mut self, start: i64) -> Result<i64, ReplayError> {
        let want = self.drain_words.div_ceil(self.bw);
        let n = want.min(self.queued_lines);
        if n == 0 {
            return Err(ReplayError("SCALE-Sim indexes an empty drain here".into()));
        }
        let mut left = n;
        let mut last = 0;
        while left > 0 {
            let front = self.lines.front_mut().expect("queued lines");
            last = front.0;
            if front.1 <= left {
                left -= front.1;
                self.lines.pop_front();
            } else {
                front.1 -= left;
                left = 0;
            }
        }
        self.queued_lines -= n;
        let data = (n - 1) * self.bw + last;
        self.accesses += data;
        self.free += data as i64;
        let stop = start + n as i64 - 1;
        self.dram = Some(match self.dram {
            None => (start, stop),
            Some((lo, hi)) => (lo.min(start), hi.max(stop)),
        });
        Ok(stop)
    }

    /// How many of the rows `t..end` (row `t` demanded at `cycle`, the rest one cycle apart;
    /// `cum` holds the prefix sums of the rows' write counts) the fast paths of
    /// [`Self::service_row`] absorb whole, without a stall or a drain, filling them. Such rows
    /// complete in their own cycle.
    #[inline]
    fn absorb_rows(&mut self, cycle: i64, cum: &[u64], t: usize, end: usize) -> usize {
        let (limit, rows) = if cycle < self.drain_end {
            if self.free <= 1 {
                return 0;
            }
            let rows = ((self.drain_end - cycle) as u64).min((end - t) as u64) as usize;
            ((self.free - 1) as u64, rows)
        } else {
            if self.free - self.active_words < 1 {
                return 0;
            }
            ((self.free - self.active_words) as u64, end - t)
        };
        let base = cum[t];
        let j = cum[t + 1..=t + rows].partition_point(|&c| c - base <= limit);
        if j > 0 {
            self.fill(cum[t + j] - base);
        }
        j
    }

    fn service_row(&mut self, cycle: i64, words: u64) -> Result<i64, ReplayError> {
        let mut current = cycle;
        let mut left = words;
        while left > 0 {
            // Fast path: while a drain is in flight and space remains, words only fill lines.
            if current < self.drain_end && self.free > 1 {
                let k = left.min((self.free - 1) as u64);
                self.fill(k);
                left -= k;
                continue;
            }
            // Fast path: below the drain threshold, words only fill lines.
            if current >= self.drain_end && self.free - self.active_words >= 1 {
                let k = left.min((self.free - self.active_words) as u64);
                self.fill(k);
                left -= k;
                continue;
            }
            left -= 1;
            self.fill(1);
            if current < self.drain_end {
                if self.free <= 0 {
                    current = self.drain_end;
                }
            } else if self.free < self.active_words {
                self.flush_line();
                self.drain_end = self.drain(current)?;
            }
        }
        Ok(current)
    }

    fn finish(&mut self, mut cycle: i64) -> Result<Access, ReplayError> {
        self.flush_line();
        while self.queued_lines > 0 {
            self.drain_end = self.drain(cycle)?;
            cycle = self.drain_end + 1;
        }
        let (start, stop) = self.dram.unwrap_or((0, 0));
        Ok(Access {
            start_cycle: start,
            stop_cycle: stop,
            words: self.accesses,
        })
    }
}

enum ReadBuffer {
    Calc(EstimateBuffer),
    User(UserBuffer),
}

/// Tracks the first and last cycle an SRAM served a real request.
#[derive(Default)]
struct Span(Option<(i64, i64)>);

impl Span {
    fn note(&mut self, cycle: i64) {
        self.0 = Some(match self.0 {
            None => (cycle, cycle),
            Some((a, _)) => (a, cycle),
        });
    }
    fn get(&self) -> (i64, i64) {
        self.0.unwrap_or((0, 0))
    }
}

/// The block (see [`Tracking::Blocks`]) that fold `(fc, fr)` walks in operand `op`'s buffer,
/// and the number of blocks. Folds are visited column-fold-major, so an operand indexed by the
/// row fold (ws/os ifmap, is filter) revisits its blocks every `row_folds` folds, the os filter
/// revisits block `fc` in `row_folds` consecutive folds, and the rest are walked once.
fn block_of(mapping: &Mapping, op: Operand, fc: u64, fr: u64) -> u64 {
    match (mapping.dataflow, op) {
        (Dataflow::Ws | Dataflow::Os, Operand::Ifmap) | (Dataflow::Is, Operand::Filter) => fr,
        (Dataflow::Os, Operand::Filter) => fc,
        _ => fc * mapping.row_folds + fr,
    }
}

fn calc_buffer(mapping: &Mapping, op: Operand, sram_words: u64, stamps: Option<u64>) -> ReadBuffer {
    let tracking = match stamps {
        Some(addresses) => Tracking::Stamps(vec![0; addresses as usize]),
        None => {
            let last = block_of(mapping, op, mapping.col_folds - 1, mapping.row_folds - 1);
            Tracking::Blocks(vec![BlockState::default(); last as usize + 1])
        }
    };
    ReadBuffer::Calc(EstimateBuffer::new(sram_words, tracking))
}

/// Serves one demand row of a read buffer; returns the cycle it completes and whether any
/// address was demanded.
#[inline]
fn read_row<F: Fn((u64, u64)) -> Option<u64>>(
    buf: &mut ReadBuffer,
    span: &RowSpan,
    cycle: i64,
    addr_of: &F,
    scratch: &mut Vec<u64>,
) -> Result<(i64, bool), ReplayError> {
    match buf {
        ReadBuffer::Calc(b) => {
            if let Tracking::Blocks(_) = b.tracking {
                // Every entry of a block-tracked operand is a valid address.
                let len = span.len();
                if len == 0 {
                    return Ok((cycle + HIT_LATENCY, false));
                }
                b.first_request.get_or_insert(cycle);
                b.walk_row(len, cycle);
                return Ok((cycle + HIT_LATENCY, true));
            }
            let mut any = false;
            for c in span.lo..span.hi {
                if let Some(addr) = addr_of(span.entry(c)) {
                    if !any && b.first_request.is_none() {
                        b.first_request = Some(cycle);
                    }
                    any = true;
                    b.access(cycle, addr);
                }
            }
            Ok((cycle + HIT_LATENCY, any))
        }
        ReadBuffer::User(b) => {
            scratch.clear();
            scratch.extend((span.lo..span.hi).filter_map(|c| addr_of(span.entry(c))));
            let out = b.service_row(cycle, scratch)?;
            Ok((out, !scratch.is_empty()))
        }
    }
}

/// Per-row demand of one fold shape (rows and columns used), for the fold-level path.
struct FoldShape {
    key: (u64, u64),
    /// Prefix sums over the fold's rows of the ifmap, filter and ofmap demand counts.
    cum: [Vec<u64>; 3],
    /// First and last row with demand, per operand.
    first_last: [Option<(u64, u64)>; 3],
}

impl FoldShape {
    fn new(mapping: &Mapping, fc: u64, fr: u64, key: (u64, u64)) -> FoldShape {
        let ops = [Operand::Ifmap, Operand::Filter, Operand::Ofmap];
        let rows = mapping.fold_cycles();
        let mut cum: [Vec<u64>; 3] = Default::default();
        let mut first_last = [None; 3];
        for (k, op) in ops.into_iter().enumerate() {
            let v = &mut cum[k];
            v.reserve(rows as usize + 1);
            v.push(0);
            for t in 0..rows {
                let len = mapping.row_span(op, fc, fr, t).len();
                if len > 0 {
                    first_last[k] = Some(match first_last[k] {
                        None => (t, t),
                        Some((a, _)) => (a, t),
                    });
                }
                v.push(v[v.len() - 1] + len);
            }
        }
        FoldShape {
            key,
            cum,
            first_last,
        }
    }
}

/// Runs one layer through SCALE-Sim 3.0.0's memory system on `mapping`'s array.
pub fn replay(
    layer: &Layer,
    mapping: &Mapping,
    mem: &ReplayMemory,
) -> Result<LayerResult, ReplayError> {
    let ifmap_addr = IfmapAddr::new(layer);
    let window = layer.window();
    let if_of = move |(px, w): (u64, u64)| ifmap_addr.get(px, w);
    let fi_of = move |(w, n): (u64, u64)| Some(n * window + w);
    let (mut ifbuf, mut fibuf, ofmap_bw) = match mem.user_bandwidth {
        None => (
            calc_buffer(
                mapping,
                Operand::Ifmap,
                mem.ifmap_words,
                (!ifmap_addr.is_dense()).then(|| layer.ifmap_elems()),
            ),
            calc_buffer(mapping, Operand::Filter, mem.filter_words, None),
            mapping.cols,
        ),
        Some((ib, fb, ob)) => (
            ReadBuffer::User(UserBuffer::new(
                mapping,
                Operand::Ifmap,
                mem.ifmap_words,
                ib,
                layer.ifmap_elems(),
                &if_of,
            )),
            ReadBuffer::User(UserBuffer::new(
                mapping,
                Operand::Filter,
                mem.filter_words,
                fb,
                layer.filter_elems(),
                &fi_of,
            )),
            ob,
        ),
    };
    let mut ofbuf = WriteBuffer::new(mem.ofmap_words, ofmap_bw);
    let (mut if_span, mut fi_span, mut of_span) =
        (Span::default(), Span::default(), Span::default());
    let fold_cycles = mapping.fold_cycles();
    let mut stall: i64 = 0;
    let mut row: i64 = 0;
    let mut total_cycles: i64 = i64::MIN;
    let mut last_out: i64 = 0;
    let mut scratch: Vec<u64> = Vec::with_capacity(mapping.rows.max(mapping.cols) as usize);
    let begin = |buf: &mut ReadBuffer, block: u64| {
        if let ReadBuffer::Calc(b) = buf {
            b.begin_walk(block);
        }
    };
    let end = |buf: &mut ReadBuffer, block: u64| {
        if let ReadBuffer::Calc(b) = buf {
            b.end_walk(block);
        }
    };

    // CALC mode with block-tracked reads (every GEMM, every filter): reads never stall, so a fold
    // is served at fold level: the ofmap buffer first (it alone decides the stalls, absorbing runs
    // of rows in closed form between drains), then each read walk, which only needs the cycles
    // of its first and last demand rows and of the rows its epoch boundaries fall in.
    let fold_level = matches!(
        (&ifbuf, &fibuf),
        (ReadBuffer::Calc(a), ReadBuffer::Calc(b))
            if matches!(a.tracking, Tracking::Blocks(_)) && matches!(b.tracking, Tracking::Blocks(_))
    );
    let mut shapes: Vec<FoldShape> = Vec::new();
    let mut breaks: Vec<(u64, i64)> = Vec::new();

    for fc in 0..mapping.col_folds {
        for fr in 0..mapping.row_folds {
            let if_block = block_of(mapping, Operand::Ifmap, fc, fr);
            let fi_block = block_of(mapping, Operand::Filter, fc, fr);
            if fold_level {
                let key = (mapping.rows_used(fr), mapping.cols_used(fc));
                let shape = match shapes.iter().position(|s| s.key == key) {
                    Some(i) => &shapes[i],
                    None => {
                        shapes.push(FoldShape::new(mapping, fc, fr, key));
                        shapes.last().expect("just pushed")
                    }
                };
                // Ofmap: stalls, recorded as (first row, stall before it) breakpoints.
                breaks.clear();
                breaks.push((0, stall));
                if let Some((a, b)) = shape.first_last[2] {
                    let cum = &shape.cum[2];
                    let (a, b) = (a as usize, b as usize + 1);
                    let mut t = a;
                    while t < b {
                        let cycle = row + t as i64 + stall;
                        let j = ofbuf.absorb_rows(cycle, cum, t, b);
                        if j > 0 {
                            of_span.note(cycle);
                            of_span.note(cycle + j as i64 - 1);
                            t += j;
                            continue;
                        }
                        let n = cum[t + 1] - cum[t];
                        let of_out = ofbuf.service_row(cycle, n)?;
                        if n > 0 {
                            of_span.note(of_out);
                        }
                        if of_out > cycle {
                            stall += of_out - cycle;
                            breaks.push((t as u64 + 1, stall));
                        }
                        t += 1;
                    }
                }
                let cycle_of = |t: u64| -> i64 {
                    let i = breaks.partition_point(|&(bt, _)| bt <= t) - 1;
                    row + t as i64 + breaks[i].1
                };
                for (buf, span, k, block) in [
                    (&mut ifbuf, &mut if_span, 0, if_block),
                    (&mut fibuf, &mut fi_span, 1, fi_block),
                ] {
                    let ReadBuffer::Calc(b) = buf else {
                        unreachable!("fold-level replay needs CALC buffers")
                    };
                    b.begin_walk(block);
                    if let Some((first, last)) = shape.first_last[k] {
                        let cum = &shape.cum[k];
                        let c0 = cycle_of(first);
                        b.first_request.get_or_insert(c0);
                        span.note(c0 + HIT_LATENCY);
                        span.note(cycle_of(last) + HIT_LATENCY);
                        b.walk_to(cum[cum.len() - 1], |p| {
                            cycle_of((cum.partition_point(|&c| c <= p) - 1) as u64)
                        });
                    }
                    b.end_walk(block);
                }
                row += fold_cycles as i64;
                last_out = row - 1 + stall;
                total_cycles = total_cycles.max(last_out);
                continue;
            }
            begin(&mut ifbuf, if_block);
            begin(&mut fibuf, fi_block);
            for t in 0..fold_cycles {
                let cycle = row + stall;
                let s = mapping.row_span(Operand::Ifmap, fc, fr, t);
                let (if_out, any) = read_row(&mut ifbuf, &s, cycle, &if_of, &mut scratch)?;
                if any {
                    if_span.note(if_out);
                }
                let s = mapping.row_span(Operand::Filter, fc, fr, t);
                let (fi_out, any) = read_row(&mut fibuf, &s, cycle, &fi_of, &mut scratch)?;
                if any {
                    fi_span.note(fi_out);
                }
                let n = mapping.row_span(Operand::Ofmap, fc, fr, t).len();
                let of_out = ofbuf.service_row(cycle, n)?;
                if n > 0 {
                    of_span.note(of_out);
                }
                let stalls = (if_out - cycle - HIT_LATENCY)
                    .max(fi_out - cycle - HIT_LATENCY)
                    .max(of_out - cycle);
                stall += stalls;
                total_cycles = total_cycles.max(of_out);
                last_out = of_out;
                row += 1;
            }
            end(&mut ifbuf, if_block);
            end(&mut fibuf, fi_block);
        }
    }
    let finish = |b: &mut ReadBuffer| -> Result<Access, ReplayError> {
        match b {
            ReadBuffer::Calc(b) => b.finish(),
            ReadBuffer::User(b) => Ok(b.finish()),
        }
    };
    let dram_if = finish(&mut ifbuf)?;
    let dram_fi = finish(&mut fibuf)?;
    let dram_of = ofbuf.finish(last_out)?;
    if total_cycles <= 0 {
        return Err(ReplayError(
            "SCALE-Sim divides by zero: the layer takes 0 cycles".into(),
        ));
    }
    let (sram_if, sram_fi, sram_of) = mapping.sram_accesses(true);
    let (map_eff, util) = mapping.efficiencies();
    let pes = mapping.rows * mapping.cols;
    let mk = |span: &Span, words: u64| {
        let (a, b) = span.get();
        Access {
            start_cycle: a,
            stop_cycle: b,
            words,
        }
    };
    Ok(LayerResult {
        total_cycles_incl_prefetch: dram_of.stop_cycle
            - dram_if.start_cycle.min(dram_fi.start_cycle),
        total_cycles,
        stall_cycles: stall,
        overall_util_pct: (layer.macs() * 100) as f64 / (total_cycles as u64 * pes) as f64,
        mapping_efficiency_pct: map_eff * 100.0,
        compute_util_pct: util * 100.0,
        sram: [
            mk(&if_span, sram_if),
            mk(&fi_span, sram_fi),
            mk(&of_span, sram_of),
        ],
        dram: [dram_if, dram_fi, dram_of],
    })
}
