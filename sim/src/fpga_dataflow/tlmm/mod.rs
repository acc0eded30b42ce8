//! The table-lookup ternary matmul (TLMM) engine, after TeLLMe (arXiv 2510.15926): INT8
//! activations times ternary weights, with no multiplier. Each group of 3 activations becomes a
//! 14-entry table of its signed sums, and each group of 3 weights a 5-bit code that reads one
//! entry (`lutforge_models::numerics::ternary_pack` defines the codes, the tables and their
//! summation order).
//!
//! [`stepped`] steps the registers below one clock at a time and computes the outputs;
//! [`fast`] states the cycle counts in closed form for whole layers. Neither calls the other;
//! `sim/tests/fpga_tlmm.rs` holds them equal, and the stepped outputs equal to the integer GEMM.
//!
//! # Parameters ([`TlmmSpec`])
//!
//! - `group` weights per code: exactly 3 (the 5-bit code);
//! - `tables` tables per activation block, so a block is `group * tables` activations of the
//!   reduction (TeLLMe: 28 tables, 84 activations);
//! - `outputs_per_cycle` outputs looked up per cycle, each reading all `tables` tables
//!   (TeLLMe: 16);
//! - `act_reads_per_cycle` activations read into the block register per cycle: a table set's
//!   build first reads its block's `group * tables` activations (TeLLMe's `READ_A` loop reads
//!   one per cycle from a scalar stream), then builds its entries;
//! - `build_adds_per_cycle` table entries built per cycle (one 3-input add each, a DSP);
//! - `entry_bits` table entry width: at least 10, so that no entry ever overflows (INT8
//!   activations give entries in `-384..=384`, `3 x 128`); entries are exact, never saturated
//!   or wrapped;
//! - `weight_banks` banks of the weight buffer, each giving one output's codes per cycle:
//!   `min(outputs_per_cycle, weight_banks)` outputs are looked up per cycle (TeLLMe partitions
//!   its URAM buffer 8 ways for 16 outputs, one read port per bank, so it looks up 8);
//! - `acc_bits` accumulator width: two's complement, wrapping; outputs are the accumulators
//!   sign-extended;
//! - `pipeline_cycles` lookup pipeline latency: a lookup's sum reaches its accumulator that many
//!   cycles after the lookup (the accumulators forward, so it adds latency once, at the end);
//! - `overlap_table_build` two table buffers: the next table set is built while the current
//!   one is looked up.
//!
//! # Job ([`TlmmJob`])
//!
//! `m` tokens, `n` outputs, reduction `k`. Activations `m x k` row-major `i8`; weights `n x k`
//! row-major (row `o` holds output `o`'s weights), each -1, 0 or +1. The reduction is cut into
//! `blocks = ceil(k / block)` blocks; the last is padded with zero activations and zero weights.
//!
//! # Dataflow
//!
//! ```text
//! for b in 0..blocks                       activation block
//!   for t in 0..m                          token; (b, t) is one "table set", u = b*m + t
//!     build:  tables * 13 entries, build_adds_per_cycle per cycle, in table-major order
//!             (entry p = 1..=13 of table 0, then of table 1, ...; entry 0 is the constant 0)
//!     for j in 0..ceil(n / outputs_per_cycle)      output group, one cycle each
//!       for o in group j, for table r:  acc[t][o] += lookup(table r, code of W[o][b, r])
//! ```
//!
//! **Activation reads.** Read cycle `r` (`0..ceil(block / act_reads_per_cycle)`) of set
//! `(b, t)` loads activations `b * block + r * R + i`, `i < R`, of token `t` into the block
//! register, with `R = min(act_reads_per_cycle, block)` (a read never crosses a block);
//! positions at or past `k` read zero and positions past the block are not read. So the
//! activations arrive as one stream, block by block and token by token within a block, `R` per
//! read, each token's block re-read for every block (the RTL's `act` stream in exactly this
//! order, see `sim/src/fpga_dataflow/top/mod.rs`); [`stepped::TlmmRun::act_read_cycles`]
//! records the cycle of every read.
//!
//! Per table set: `build = ceil(group * tables / act_reads_per_cycle) + ceil(13 * tables /
//! build_adds_per_cycle)` build cycles (reads, then adds) and `groups = ceil(n / lanes)`
//! lookup cycles with `lanes = min(outputs_per_cycle, weight_banks)`, `U = blocks * m` table
//! sets.
//!
//! # Registers and timing
//!
//! Counters `built` (table sets built), `looked` (table sets fully looked up), the entry
//! counter of the set being built and the group counter of the set being looked up; one table
//! buffer, or two with `overlap_table_build` (set `u` in buffer `u % 2`); the lookup pipeline;
//! the `m x n` accumulators. Each cycle decides from the registers at its start:
//!
//! - **lookup** if `looked < built` (a set finished building in an earlier cycle): group
//!   `j` of set `looked`; after its last group the set's buffer is free from the next cycle;
//! - **build** if `built < U` and the buffer of set `built` is free (`built < looked + 2` with
//!   two buffers, `built < looked + 1` with one): the next `build_adds_per_cycle` entries.
//!
//! So without overlap the phases alternate, and with it the first build runs alone, each later
//! build runs beside the previous set's lookups, and the last set's lookups run alone:
//!
//! ```text
//! no overlap:  cycles = U * (build + groups)                          + pipeline_cycles
//! overlap:     cycles = build + groups + (U - 1) * max(build, groups) + pipeline_cycles
//! ```
//!
//! Every cycle before the drain does a lookup, a build, or both. A cycle with a lookup counts
//! as a **lookup cycle** of the block of the set looked up; a cycle with a build and no lookup
//! as a **build-only cycle** of the block of the set built. Per block `b`:
//!
//! ```text
//! lookup cycles      = m * groups
//! build-only cycles  = m * build                                      no overlap
//!                    = [b = 0] * build + (m - [b = 0]) * max(0, build - groups)    overlap
//! cycles = sum over blocks of (lookup + build-only) + pipeline_cycles
//! ```

pub mod fast;
pub mod stepped;

use lutforge_models::numerics::NumericsError;
use lutforge_models::Limit;
use thiserror::Error;

/// Table entries that need an add per table: the 13 canonical non-zero patterns.
pub use lutforge_models::numerics::ternary_pack::TERNARY_NONZERO_PATTERNS as ENTRIES_PER_TABLE;

/// Largest magnitude of a table entry with INT8 activations: `3 x 128`.
pub const MAX_ENTRY_MAGNITUDE: u32 = 3 * 128;

/// Narrowest table entry that holds every entry exactly (`-384..=384` needs 10 bits).
pub const MIN_ENTRY_BITS: u32 = 10;

/// The engine's parameters (module documentation). Check with [`TlmmSpec::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlmmSpec {
    /// Weights per code; exactly 3.
    pub group: u32,
    /// Lookup tables per activation block, 1..=256 (TeLLMe: 28).
    pub tables: u32,
    /// Outputs looked up per cycle, 1..=1024 (TeLLMe: 16).
    pub outputs_per_cycle: u32,
    /// Activations read into the block register per cycle, 1..=1024 (TeLLMe: 1).
    pub act_reads_per_cycle: u32,
    /// Table entries built per cycle, 1..=4096.
    pub build_adds_per_cycle: u32,
    /// Table entry width, bits, 10..=32 (4..=32, and at least [`MIN_ENTRY_BITS`]).
    pub entry_bits: u32,
    /// Accumulator width, bits, 8..=48; wraps.
    pub acc_bits: u32,
    /// Lookup pipeline latency, cycles, 0..=64.
    pub pipeline_cycles: u32,
    /// Weight-buffer banks, one output's codes each per cycle, 1..=1024 (TeLLMe: 8).
    pub weight_banks: u32,
    /// Double-buffered tables: the next set is built during the current set's lookups.
    pub overlap_table_build: bool,
}

impl TlmmSpec {
    /// Range of every numeric field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "group",
            Limit::new(3.0, 3.0, "weights", "one 5-bit code holds 3 weights"),
        ),
        ("tables", Limit::new(1.0, 256.0, "tables", "")),
        ("outputs_per_cycle", Limit::new(1.0, 1024.0, "outputs", "")),
        (
            "act_reads_per_cycle",
            Limit::new(1.0, 1024.0, "activations per cycle", ""),
        ),
        (
            "build_adds_per_cycle",
            Limit::new(1.0, 4096.0, "entries per cycle", ""),
        ),
        ("entry_bits", Limit::new(4.0, 32.0, "bits", "")),
        ("acc_bits", Limit::new(8.0, 48.0, "bits", "")),
        ("pipeline_cycles", Limit::new(0.0, 64.0, "cycles", "")),
        ("weight_banks", Limit::new(1.0, 1024.0, "banks", "")),
    ];

    /// Each field with its value, in [`TlmmSpec::LIMITS`] order.
    fn fields(&self) -> [(&'static str, u32); 9] {
        [
            ("group", self.group),
            ("tables", self.tables),
            ("outputs_per_cycle", self.outputs_per_cycle),
            ("act_reads_per_cycle", self.act_reads_per_cycle),
            ("build_adds_per_cycle", self.build_adds_per_cycle),
            ("entry_bits", self.entry_bits),
            ("acc_bits", self.acc_bits),
            ("pipeline_cycles", self.pipeline_cycles),
            ("weight_banks", self.weight_banks),
        ]
    }

    /// Checks every field against [`TlmmSpec::LIMITS`], then that `entry_bits` is at least
    /// [`MIN_ENTRY_BITS`]; the error names the first bad field and its value.
    pub fn validate(&self) -> Result<(), TlmmError> {
        for ((field, value), (_, limit)) in self.fields().into_iter().zip(Self::LIMITS) {
            limit
                .check_u64(u64::from(value))
                .map_err(|message| TlmmError::Field {
                    field,
                    value: u64::from(value),
                    message,
                })?;
        }
        if self.entry_bits < MIN_ENTRY_BITS {
            return Err(TlmmError::Field {
                field: "entry_bits",
                value: u64::from(self.entry_bits),
                message: format!(
                    "must be at least {MIN_ENTRY_BITS} bits: a table entry reaches \
                     ±{MAX_ENTRY_MAGNITUDE} (3 x 128)"
                ),
            });
        }
        Ok(())
    }

    /// Activations per block, `group * tables`.
    pub fn block_activations(&self) -> u64 {
        u64::from(self.group) * u64::from(self.tables)
    }

    /// Cycles a table set spends reading its block's activations.
    pub fn read_cycles_per_set(&self) -> u64 {
        self.block_activations()
            .div_ceil(u64::from(self.act_reads_per_cycle))
    }

    /// Outputs looked up per cycle: `min(outputs_per_cycle, weight_banks)`.
    pub fn lookup_lanes(&self) -> u32 {
        self.outputs_per_cycle.min(self.weight_banks)
    }

    /// Table entries built per table set, `13 * tables`.
    pub fn entries_per_set(&self) -> u64 {
        ENTRIES_PER_TABLE as u64 * u64::from(self.tables)
    }
}

/// One matmul: `m x k` activations times the `n x k` ternary weights, `m x n` outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlmmJob {
    /// Tokens (activation rows), 1..=2^20.
    pub m: u64,
    /// Outputs (weight rows), 1..=2^24.
    pub n: u64,
    /// Reduction length, 1..=2^24.
    pub k: u64,
}

impl TlmmJob {
    /// Range of every field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("m", Limit::new(1.0, 1_048_576.0, "tokens", "")),
        ("n", Limit::new(1.0, 16_777_216.0, "outputs", "")),
        ("k", Limit::new(1.0, 16_777_216.0, "activations", "")),
    ];

    /// Checks every field against [`TlmmJob::LIMITS`].
    pub fn validate(&self) -> Result<(), TlmmError> {
        let fields = [("m", self.m), ("n", self.n), ("k", self.k)];
        for ((field, value), (_, limit)) in fields.into_iter().zip(Self::LIMITS) {
            limit.check_u64(value).map_err(|message| TlmmError::Field {
                field,
                value,
                message,
            })?;
        }
        Ok(())
    }

    /// Activation blocks of `spec`, `ceil(k / block)`.
    pub fn blocks(&self, spec: &TlmmSpec) -> u64 {
        self.k.div_ceil(spec.block_activations())
    }
}

/// A spec, job or operand the engine does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlmmError {
    /// A spec or job field outside its range.
    #[error("tlmm field `{field}`: {message} (got {value})")]
    Field {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u64,
        /// The legal range.
        message: String,
    },
    /// An operand slice whose length does not match the job.
    #[error("tlmm {what} has {got} values, expected {expected}")]
    Shape {
        /// `activations` or `weights`.
        what: &'static str,
        /// Values supplied.
        got: usize,
        /// Values the job needs.
        expected: usize,
    },
    /// A weight that is not -1, 0 or +1.
    #[error("tlmm weight {value} at index {index} is not -1, 0 or +1")]
    Weight {
        /// Position in the weights.
        index: usize,
        /// The value.
        value: i8,
    },
    /// A packing error from the numerics (a bad code).
    #[error("tlmm weights: {0}")]
    Numerics(#[from] NumericsError),
    /// A job whose cycle count does not fit 64 bits.
    #[error("tlmm job m={m} n={n} k={k}: the cycle count overflows 64 bits")]
    CycleOverflow {
        /// Tokens.
        m: u64,
        /// Outputs.
        n: u64,
        /// Reduction length.
        k: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A legal spec shaped like TeLLMe's engine (28 tables, 16 outputs per cycle).
    fn spec() -> TlmmSpec {
        TlmmSpec {
            group: 3,
            tables: 28,
            outputs_per_cycle: 16,
            act_reads_per_cycle: 1024,
            build_adds_per_cycle: 28,
            entry_bits: 10,
            acc_bits: 32,
            pipeline_cycles: 4,
            weight_banks: 1024,
            overlap_table_build: true,
        }
    }

    fn error(spec: TlmmSpec) -> String {
        spec.validate().unwrap_err().to_string()
    }

    #[test]
    fn a_legal_spec_validates() {
        assert_eq!(spec().validate(), Ok(()));
        assert_eq!(spec().block_activations(), 84);
        assert_eq!(spec().entries_per_set(), 364);
    }

    #[test]
    fn each_bad_field_is_named_with_its_value() {
        let s = spec();
        let cases = [
            (
                TlmmSpec { group: 2, ..s },
                "tlmm field `group`: must be between 3 and 3 weights (got 2)",
            ),
            (
                TlmmSpec { tables: 0, ..s },
                "tlmm field `tables`: must be between 1 and 256 tables (got 0)",
            ),
            (
                TlmmSpec { tables: 257, ..s },
                "tlmm field `tables`: must be between 1 and 256 tables (got 257)",
            ),
            (
                TlmmSpec {
                    outputs_per_cycle: 1025,
                    ..s
                },
                "tlmm field `outputs_per_cycle`: must be between 1 and 1024 outputs (got 1025)",
            ),
            (
                TlmmSpec {
                    act_reads_per_cycle: 1024,
                    build_adds_per_cycle: 0,
                    ..s
                },
                "tlmm field `build_adds_per_cycle`: must be between 1 and 4096 entries per \
                 cycle (got 0)",
            ),
            (
                TlmmSpec { entry_bits: 3, ..s },
                "tlmm field `entry_bits`: must be between 4 and 32 bits (got 3)",
            ),
            (
                TlmmSpec { entry_bits: 9, ..s },
                "tlmm field `entry_bits`: must be at least 10 bits: a table entry reaches ±384 \
                 (3 x 128) (got 9)",
            ),
            (
                TlmmSpec { acc_bits: 49, ..s },
                "tlmm field `acc_bits`: must be between 8 and 48 bits (got 49)",
            ),
            (
                TlmmSpec {
                    pipeline_cycles: 65,
                    weight_banks: 1024,
                    ..s
                },
                "tlmm field `pipeline_cycles`: must be between 0 and 64 cycles (got 65)",
            ),
        ];
        for (bad, text) in cases {
            assert_eq!(error(bad), text);
        }
    }

    #[test]
    fn job_fields_are_checked() {
        let job = TlmmJob { m: 1, n: 1, k: 1 };
        assert_eq!(job.validate(), Ok(()));
        assert_eq!(
            TlmmJob { m: 0, ..job }.validate().unwrap_err().to_string(),
            "tlmm field `m`: must be between 1 and 1048576 tokens (got 0)"
        );
        assert_eq!(
            TlmmJob { k: 1 << 25, ..job }
                .validate()
                .unwrap_err()
                .to_string(),
            "tlmm field `k`: must be between 1 and 16777216 activations (got 33554432)"
        );
        assert_eq!(TlmmJob { k: 85, ..job }.blocks(&spec()), 2);
    }
}
