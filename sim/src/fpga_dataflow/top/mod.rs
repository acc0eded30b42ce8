//! The pipeline top of an FPGA dataflow architecture: the engines that have RTL, joined behind
//! valid/ready streams, as `lutforge rtl` emits them (`rtl/src/fpga_dataflow/`) and as `lutforge
//! cosim` checks them. This module doc is the specification; [`stepped`] steps it cycle by
//! cycle with real values (composing the TLMM's stepped model [`super::tlmm::stepped`], the
//! FIFO [`super::fifo`] and the element-wise engine [`super::eltwise::stepped`]) and [`fast`]
//! states its cycle count in closed form (composing [`super::tlmm::fast`]).
//! `sim/tests/fpga_top.rs` holds the two equal, and the values equal to the integer GEMM
//! requantized.
//!
//! # Shape ([`TopSpec`])
//!
//! ```text
//! TLMM top (the pipeline has a tlmm engine):
//!   cmd, wld, act --> TLMM (load, tables, lookups, accumulators, drain) --> FIFO --> eltwise --> res
//! stream top (no tlmm: the VQ 2D-lookup engine has no RTL yet):
//!   cmd, acc -------------------------------------------------------------> FIFO --> eltwise --> res
//! ```
//!
//! Attention has no RTL in either; the note of [`TopSpec::notes`] says so wherever the top is
//! generated or co-simulated.
//!
//! - The TLMM engine is the architecture's `[fpga.tlmm]` ([`super::tlmm::TlmmSpec`]) with one
//!   table buffer (`overlap_table_build = false`, the only value an architecture file gives).
//!   `L = min(outputs_per_cycle, weight_banks)` lookup lanes. Its weight buffer and its
//!   accumulators have the capacity of [`TlmmCapacity`]: `weight_words` words of `L` index
//!   vectors (the architecture's `weight_buffer_kib`, in whole words), `max_groups` groups of
//!   `L` outputs and `max_tokens` tokens (both powers of two). A job of `B` blocks and `G`
//!   groups needs `B * G <= weight_words`; the buffer is addressed `b * G + j`, so a job may
//!   trade outputs for reduction length. [`TlmmCapacity::of`] derives it from the
//!   architecture and, for a project, from the widest row chunk of the model's matrices;
//!   matmuls larger than a job are cut into jobs by the host.
//! - The stream top takes `L = [vector] lanes` accumulators of [`STREAM_LANE_BITS`] bits per beat.
//! - The FIFO holds `fifo_depth x G_max` beats (`fpga.fifo_depth` is in token rows; a row is
//!   `G_max = max_groups` beats of the TLMM top, one beat of the stream top).
//! - The element-wise engine ([`super::eltwise`]) requantizes `L` accumulators per beat with
//!   `min([vector] lanes, L)` requantizers, `S = ceil(L / lanes)` cycles per beat.
//!
//! # Streams (AXI-Stream style)
//!
//! Every stream has `<s>_valid` (source), `<s>_ready` (sink) and `<s>_data`; a beat transfers
//! on a rising clock edge where both are high. A source never lowers `valid` or changes `data`
//! before the transfer; no `valid` depends on a `ready` (a `ready` may depend on a `valid`).
//! Lanes are packed little-end first: lane `i` of `w`-bit lanes at `data[i*w +: w]`, two's
//! complement. `clk`; `rst` synchronous, active high.
//!
//! **TLMM top**
//!
//! - `cmd`: `cmd_tokens` (`m`, `1..=max_tokens`), `cmd_outputs` (`n`, `1..=max_groups * L`),
//!   `cmd_blocks` (`B = ceil(k / block)`, `1..=weight_words`, `block = 3 * tables`; `B * G <=
//!   weight_words`),
//!   `cmd_scale` (16-bit two's complement), `cmd_shift` (`0..=acc_bits + 15`). `cmd_ready` is
//!   high while the top is idle. `G = ceil(n / L)` output groups.
//! - `wld` (weight load): `B * G` beats, block-major: beat `(b, j)` holds in lane `l`
//!   (`tables x 5` bits) the index vector of output `o = j*L + l` for block `b`: bits
//!   `[(l*tables + r)*5 +: 5]` are the 5-bit code (`ternary_pack`) of weights `b*block + 3r ..
//!   3r + 2` of `o` (zero weights past `k`; code 0 in lanes with `o >= n`).
//! - `act`: the TLMM's activation reads ([`super::tlmm`], "Activation reads"): `B * m *
//!   ceil(block / R)` beats of `R = min(act_reads_per_cycle, block)` INT8 lanes.
//! - `res`: `m * G` beats, token-major: beat `(t, j)` holds in lane `l` (8 bits) the
//!   requantized output `(t, j*L + l)` (0 in lanes with `j*L + l >= n`); `res_last` is high on
//!   the last beat.
//!
//! **Stream top**
//!
//! - `cmd`: `cmd_beats` (`N`, `1..=65535`), `cmd_scale`, `cmd_shift`.
//! - `acc`: `N` beats of `L` lanes of [`STREAM_LANE_BITS`] bits.
//! - `res`: `N` beats of `L` INT8 lanes, beat `i` the requantized `acc` beat `i`; `res_last`.
//!
//! # Cycles
//!
//! Cycle 0 is the `cmd` transfer. With every source always valid and `res_ready` always high:
//!
//! 1. **Load** (TLMM top): `wld` beat `i` transfers in cycle `1 + i`, `W = B * G` beats. The TLMM
//!    does not compute while it loads (`weight_load = "preload"`).
//! 2. **Compute** (TLMM top): TLMM cycle `c` of its specification (`super::tlmm`, "Registers and
//!    timing", the job `m x n x k`) is top cycle `W + 1 + c`, `c < T` (`T` its total cycles,
//!    drain of the lookup pipeline included); `act` beats transfer in its read cycles. The RTL
//!    reads the weight buffer in the lookup cycle and the table buffer one cycle later when
//!    `pipeline_cycles >= 1` (a set's table is rewritten no earlier than two cycles after its
//!    last lookup: the next set reads its activations first); values and cycles are the spec's.
//! 3. **Drain and line**: the accumulators leave as `N = m * G` beats (stream top: the `N` `acc`
//!    beats) through the FIFO and the element-wise engine. Beat `n` is offered from cycle `p_0
//!    = W + 1 + T` (stream top: `p_0 = 1`) and pushed into the FIFO in cycle `p_n`; the engine
//!    pops it with its last slice in cycle `e_n`, and it transfers on `res` in `e_n + 1`:
//!
//!    ```text
//!    p_n = max(p_{n-1} + 1, e_{n-D} + 1)          (the FIFO has room: D = its depth)
//!    e_n = max(p_n + 1, e_{n-1} + 1) + S - 1      (slices start when the beat is at the head)
//!    ```
//!
//!    so with `D >= 2` the engine never waits and `e_n = p_0 + S * (n + 1)`; with `D = 1` the
//!    push waits for the pop and `e_n = p_0 + S + n * (S + 1)`.
//!
//! The job's cycle count runs from cycle 0 through the last `res` transfer, inclusive:
//!
//! ```text
//! cycles = p_0 + S * N + 2                     D >= 2
//!        = p_0 + S + (N - 1) * (S + 1) + 2     D = 1
//! ```
//!
//! The top is busy until that transfer and takes the next `cmd` in the following cycle, so
//! jobs back to back add their counts. Stalls on any stream add cycles and change no value.

pub mod fast;
pub mod stepped;

use lutforge_fpga::resources::BufferRam;
use lutforge_fpga::Device;
use thiserror::Error;

use super::config::FpgaDesign;
use super::eltwise::{EltwiseError, EltwiseSpec};
use super::tlmm::{TlmmError, TlmmSpec};

/// Bits of one `acc` lane of the stream top (an INT32 accumulator).
pub const STREAM_LANE_BITS: u32 = 32;

/// Width of the stream top's `cmd_beats` field, bits.
pub const BEATS_BITS: u32 = 16;

/// What the TLMM top's buffers hold (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlmmCapacity {
    /// Tokens per job (accumulator rows), a power of two, 2..=256.
    pub max_tokens: u32,
    /// Output groups of `L` per job, a power of two, 2..=4096.
    pub max_groups: u32,
    /// Weight-buffer words, each the index vectors of one block of one output group (`L x
    /// tables` codes), 2..=2^20: a job of `B` blocks and `G` groups needs `B * G` of them.
    pub weight_words: u32,
    /// Where the weight buffer is inferred: UltraRAM (`ram_style = "ultra"`) when the device
    /// has it, the buffer fills at least one block and its read is registered
    /// (`pipeline_cycles >= 1`); block RAM otherwise (LUTRAM without the read register).
    pub weight_ram: BufferRam,
}

/// Tokens per job of a generated top: the accumulators hold `JOB_TOKENS x max_groups` words.
/// A generator choice (the accumulators are LUTRAM, read and written every lookup cycle); the
/// host runs longer prompts as jobs of this many tokens.
pub const JOB_TOKENS: u32 = 4;

/// Output groups per job of a generated top built without a model (`lutforge rtl`, `cosim`).
pub const DEFAULT_GROUPS: u32 = 4;

/// Largest `max_groups` of a generated top.
pub const MAX_GROUPS: u32 = 4096;

/// Largest `weight_words` of a generated top.
pub const MAX_WEIGHT_WORDS: u32 = 1 << 20;

impl TlmmCapacity {
    /// The capacity the generator builds for `tlmm`: the weight buffer is
    /// `weight_buffer_kib` in whole words ([`super::engines::tlmm_buffer_words`]), at least 2;
    /// `max_groups` covers `widest_rows` outputs (the widest row chunk of a model's matrices,
    /// [`super::engines::tlmm_preload_chunks`]) or, without a model, [`DEFAULT_GROUPS`];
    /// [`JOB_TOKENS`] tokens. Clamped to the ranges of [`TopSpec::validate`].
    pub fn of(
        tlmm: &super::config::Tlmm,
        device: &Device,
        widest_rows: Option<u64>,
    ) -> TlmmCapacity {
        let lanes = u64::from(tlmm.spec.lookup_lanes());
        let words = super::engines::tlmm_buffer_words(tlmm).clamp(2, u64::from(MAX_WEIGHT_WORDS));
        let word_bits = lanes * u64::from(tlmm.spec.tables * WEIGHT_CODE_BITS);
        let ultra = device
            .uram
            .is_some_and(|u| words * word_bits >= u64::from(u.kbit) * 1024)
            && tlmm.spec.pipeline_cycles >= 1;
        let groups = match widest_rows {
            Some(rows) => rows.div_ceil(lanes).max(1).next_power_of_two(),
            None => u64::from(DEFAULT_GROUPS),
        };
        TlmmCapacity {
            max_tokens: JOB_TOKENS,
            max_groups: u32::try_from(groups.clamp(2, u64::from(MAX_GROUPS))).unwrap_or(MAX_GROUPS),
            weight_words: u32::try_from(words).unwrap_or(MAX_WEIGHT_WORDS),
            weight_ram: if ultra {
                BufferRam::Uram
            } else {
                BufferRam::Bram
            },
        }
    }
}

/// What feeds the FIFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The TLMM engine.
    Tlmm {
        /// Its parameters.
        spec: TlmmSpec,
        /// Its buffers.
        capacity: TlmmCapacity,
    },
    /// An `acc` input stream of `lanes` lanes of [`STREAM_LANE_BITS`] bits.
    Stream {
        /// Lanes per beat, 1..=4096.
        lanes: u32,
    },
}

/// The pipeline top (module documentation). Check with [`TopSpec::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TopSpec {
    /// What feeds the FIFO.
    pub source: Source,
    /// FIFO depth, beats, 1..=2^20.
    pub fifo_depth: u32,
    /// The element-wise engine.
    pub eltwise: EltwiseSpec,
    /// The architecture has a `vq2d` engine (which has no RTL yet).
    pub has_vq2d: bool,
    /// The architecture streams its weights (`weight_load = "stream"`), which the top does not
    /// (it preloads each job's weights).
    pub streams_weights: bool,
}

/// A top, job or operand the pipeline does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TopError {
    /// A spec or job field outside its range.
    #[error("fpga top field `{field}`: {message} (got {value})")]
    Field {
        /// The field.
        field: &'static str,
        /// Its value.
        value: i64,
        /// The legal range.
        message: String,
    },
    /// The TLMM engine's spec or job.
    #[error(transparent)]
    Tlmm(#[from] TlmmError),
    /// The element-wise engine's shape or parameters.
    #[error(transparent)]
    Eltwise(#[from] EltwiseError),
    /// A job for the other kind of top.
    #[error("fpga top: a {job} job on a {top} top")]
    WrongSource {
        /// The job's kind.
        job: &'static str,
        /// The top's kind.
        top: &'static str,
    },
    /// An operand whose length or values do not match the job.
    #[error("fpga top {what}: {message}")]
    Operand {
        /// Which operand.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
}

fn field(field: &'static str, value: impl Into<i64>, message: impl Into<String>) -> TopError {
    TopError::Field {
        field,
        value: value.into(),
        message: message.into(),
    }
}

impl TopSpec {
    /// The top of a validated `[fpga]` design whose `[vector]` unit has `vector_lanes` lanes:
    /// the TLMM top if the design has a `tlmm` engine (with `capacity`, or
    /// [`TlmmCapacity::of`] the design without a model), the stream top otherwise.
    pub fn of(
        design: &FpgaDesign,
        vector_lanes: u64,
        capacity: Option<TlmmCapacity>,
    ) -> Result<TopSpec, TopError> {
        let (source, lanes_in, acc_bits, row_beats) = match design.tlmm {
            Some(t) => {
                let capacity =
                    capacity.unwrap_or_else(|| TlmmCapacity::of(&t, design.device, None));
                (
                    Source::Tlmm {
                        spec: t.spec,
                        capacity,
                    },
                    t.spec.lookup_lanes(),
                    t.spec.acc_bits,
                    u64::from(capacity.max_groups),
                )
            }
            None => {
                let lanes = u32::try_from(vector_lanes.clamp(1, 4096)).unwrap_or(4096);
                (Source::Stream { lanes }, lanes, STREAM_LANE_BITS, 1)
            }
        };
        let depth = design.fifo_depth.saturating_mul(row_beats);
        let spec = TopSpec {
            source,
            fifo_depth: u32::try_from(depth).unwrap_or(u32::MAX),
            eltwise: EltwiseSpec {
                lanes_in,
                lanes: u32::try_from(vector_lanes.clamp(1, u64::from(lanes_in)))
                    .unwrap_or(lanes_in),
                acc_bits,
            },
            has_vq2d: design.vq2d.is_some(),
            streams_weights: design
                .tlmm
                .is_some_and(|t| matches!(t.weight_load, super::config::WeightLoad::Stream { .. })),
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Checks every field: the TLMM spec (one table buffer), capacities (`max_tokens` a power
    /// of two 2..=256, `max_groups` one 2..=4096, `weight_words` 2..=2^20), lanes, the FIFO depth (1..=2^20) and that the element-wise engine takes the
    /// source's beats.
    pub fn validate(&self) -> Result<(), TopError> {
        let lanes = match self.source {
            Source::Tlmm { spec, capacity } => {
                spec.validate()?;
                if spec.overlap_table_build {
                    return Err(field(
                        "overlap_table_build",
                        1,
                        "the pipeline top's TLMM has one table buffer",
                    ));
                }
                for (name, v, max) in [
                    ("max_tokens", capacity.max_tokens, 256),
                    ("max_groups", capacity.max_groups, MAX_GROUPS),
                ] {
                    if !(2..=max).contains(&v) || !v.is_power_of_two() {
                        return Err(field(name, v, format!("must be a power of two, 2..={max}")));
                    }
                }
                if !(2..=MAX_WEIGHT_WORDS).contains(&capacity.weight_words) {
                    return Err(field(
                        "weight_words",
                        capacity.weight_words,
                        format!("must be 2..={MAX_WEIGHT_WORDS}"),
                    ));
                }
                if self.eltwise.acc_bits != spec.acc_bits {
                    return Err(field(
                        "eltwise.acc_bits",
                        self.eltwise.acc_bits,
                        format!("must be the TLMM's acc_bits, {}", spec.acc_bits),
                    ));
                }
                spec.lookup_lanes()
            }
            Source::Stream { lanes } => {
                if !(1..=4096).contains(&lanes) {
                    return Err(field("lanes", lanes, "must be 1..=4096"));
                }
                if self.eltwise.acc_bits != STREAM_LANE_BITS {
                    return Err(field(
                        "eltwise.acc_bits",
                        self.eltwise.acc_bits,
                        format!("must be the stream's lane width, {STREAM_LANE_BITS}"),
                    ));
                }
                lanes
            }
        };
        if self.eltwise.lanes_in != lanes {
            return Err(field(
                "eltwise.lanes_in",
                self.eltwise.lanes_in,
                format!("must be the source's lanes, {lanes}"),
            ));
        }
        self.eltwise.validate()?;
        if !(1..=1 << 20).contains(&self.fifo_depth) {
            return Err(field(
                "fifo_depth",
                self.fifo_depth,
                "must be 1..=1048576 beats",
            ));
        }
        Ok(())
    }

    /// Lanes per beat of the source, the FIFO and `res`.
    pub fn beat_lanes(&self) -> u32 {
        self.eltwise.lanes_in
    }

    /// Bits of one source lane (the accumulator width).
    pub fn acc_bits(&self) -> u32 {
        self.eltwise.acc_bits
    }

    /// What the top leaves out of the architecture (printed by `lutforge rtl` and `cosim`).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.has_vq2d {
            notes.push(
                "the vq2d engine (LUT-LLM's VQ 2D-lookup matmul) has no RTL yet: the top is its \
                 FIFO -> eltwise pipeline, fed by an `acc` stream standing for the engine's output"
                    .to_string(),
            );
        }
        notes.push("the attention engine has no RTL yet; it is not part of the top".to_string());
        if self.streams_weights {
            notes.push(
                "the architecture streams its weights (weight_load = \"stream\"); the TLMM top has no weight FIFO yet and preloads each job's weights, so its cycles are the preload's"
                    .to_string(),
            );
        }
        if let Source::Tlmm { capacity, spec } = self.source {
            notes.push(format!(
                "the TLMM top holds jobs of up to {} tokens x {} outputs, and {} weight words of {} outputs x {} activations (blocks x groups <= words; the host cuts larger matmuls)",
                capacity.max_tokens,
                capacity.max_groups * spec.lookup_lanes(),
                capacity.weight_words,
                spec.lookup_lanes(),
                spec.block_activations()
            ));
        }
        notes
    }
}

/// The TLMM top's job: `m x k` activations (row-major `i8`) times `n x k` ternary weights
/// (row-major, each -1, 0 or +1), requantized with `scale` and `shift`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlmmTopJob {
    /// Tokens.
    pub m: u64,
    /// Outputs.
    pub n: u64,
    /// Reduction length.
    pub k: u64,
    /// Activations, `m x k`.
    pub activations: Vec<i8>,
    /// Weights, `n x k`.
    pub weights: Vec<i8>,
}

/// One job of a top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopJob {
    /// A matmul on the TLMM top.
    Tlmm(TlmmTopJob),
    /// `acc` beats (each `L` values fitting [`STREAM_LANE_BITS`] signed bits) on the stream top.
    Stream(Vec<Vec<i64>>),
}

/// A job with its requantizer parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopInput {
    /// The job.
    pub job: TopJob,
    /// Requantizer scale, 16-bit two's complement.
    pub scale: i32,
    /// Requantizer shift, `0..=acc_bits + 15`.
    pub shift: u32,
}

/// The shape of a job, what the fast model needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobShape {
    /// `m x n x k` on the TLMM top.
    Tlmm {
        /// Tokens.
        m: u64,
        /// Outputs.
        n: u64,
        /// Reduction length.
        k: u64,
    },
    /// `beats` on the stream top.
    Stream {
        /// Beats.
        beats: u64,
    },
}

impl TopJob {
    /// The job's shape.
    pub fn shape(&self) -> JobShape {
        match self {
            TopJob::Tlmm(j) => JobShape::Tlmm {
                m: j.m,
                n: j.n,
                k: j.k,
            },
            TopJob::Stream(beats) => JobShape::Stream {
                beats: beats.len() as u64,
            },
        }
    }
}

impl TopSpec {
    /// Checks a job's shape against the top: the source's kind and the capacities; returns
    /// `(G, B)` (output groups and blocks; `(N, 0)` on the stream top).
    pub fn check_shape(&self, shape: JobShape) -> Result<(u64, u64), TopError> {
        match (self.source, shape) {
            (Source::Tlmm { spec, capacity }, JobShape::Tlmm { m, n, k }) => {
                let lanes = u64::from(spec.lookup_lanes());
                let max_n = u64::from(capacity.max_groups) * lanes;
                let words = u64::from(capacity.weight_words);
                let max_k = words * spec.block_activations();
                for (name, v, max) in [
                    ("m", m, u64::from(capacity.max_tokens)),
                    ("n", n, max_n),
                    ("k", k, max_k),
                ] {
                    if !(1..=max).contains(&v) {
                        return Err(field(
                            name,
                            i64::try_from(v).unwrap_or(i64::MAX),
                            format!("must be 1..={max} (the top's capacity)"),
                        ));
                    }
                }
                let (groups, blocks) = (n.div_ceil(lanes), k.div_ceil(spec.block_activations()));
                if blocks * groups > words {
                    return Err(field(
                        "blocks x groups",
                        i64::try_from(blocks * groups).unwrap_or(i64::MAX),
                        format!("must be at most the weight buffer's {words} words"),
                    ));
                }
                Ok((groups, blocks))
            }
            (Source::Stream { .. }, JobShape::Stream { beats }) => {
                let max = (1u64 << BEATS_BITS) - 1;
                if !(1..=max).contains(&beats) {
                    return Err(field(
                        "beats",
                        i64::try_from(beats).unwrap_or(i64::MAX),
                        format!("must be 1..={max}"),
                    ));
                }
                Ok((beats, 0))
            }
            (Source::Tlmm { .. }, JobShape::Stream { .. }) => Err(TopError::WrongSource {
                job: "stream",
                top: "TLMM",
            }),
            (Source::Stream { .. }, JobShape::Tlmm { .. }) => Err(TopError::WrongSource {
                job: "TLMM",
                top: "stream",
            }),
        }
    }

    /// Bits of a `cmd` field holding `1..=max`.
    pub fn count_bits(max: u64) -> u32 {
        64 - max.leading_zeros()
    }

    /// The `cmd` fields, in port order, with their widths (module documentation).
    pub fn cmd_fields(&self) -> Vec<(&'static str, u32)> {
        let mut fields = match self.source {
            Source::Tlmm { spec, capacity } => vec![
                ("tokens", Self::count_bits(u64::from(capacity.max_tokens))),
                (
                    "outputs",
                    Self::count_bits(u64::from(capacity.max_groups * spec.lookup_lanes())),
                ),
                ("blocks", Self::count_bits(u64::from(capacity.weight_words))),
            ],
            Source::Stream { .. } => vec![("beats", BEATS_BITS)],
        };
        fields.push(("scale", super::eltwise::SCALE_BITS));
        fields.push(("shift", super::eltwise::SHIFT_BITS));
        fields
    }

    /// The input data streams, in port order, with their beat widths.
    pub fn input_streams(&self) -> Vec<(&'static str, u32)> {
        match self.source {
            Source::Tlmm { spec, .. } => vec![
                ("wld", spec.lookup_lanes() * spec.tables * WEIGHT_CODE_BITS),
                ("act", act_lanes(&spec) * 8),
            ],
            Source::Stream { lanes } => vec![("acc", lanes * STREAM_LANE_BITS)],
        }
    }
}

/// Bits of one weight code (3 ternary weights).
pub const WEIGHT_CODE_BITS: u32 = lutforge_models::numerics::ternary_pack::PACKED_BITS_PER_GROUP;

/// INT8 lanes of an `act` beat, `min(act_reads_per_cycle, block)`.
pub fn act_lanes(spec: &TlmmSpec) -> u32 {
    let block = u32::try_from(spec.block_activations()).unwrap_or(u32::MAX);
    spec.act_reads_per_cycle.min(block)
}
